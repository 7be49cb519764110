"""``network_generate``: a realistic, reproducible Canadian network of clinics for demos and benchmarks.

Everything random comes from one ``random.Random(seed)`` consumed in a fixed order (cities sorted by
slug, reference data by slug), so a seed gives the same network on any database. Rows are written
in batches of multi-row INSERTs, M2M links as through-rows, all inside one transaction: a failure
leaves no half network.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from booking.models import Appointment, Hold
from clinics.models import Clinic, Insurer, Language, NetworkStatus, OpeningHours, Practitioner, Service, Technique
from demo import regions
from demo.names import Namer
from demo.reference import CHIRO, MASSAGE, PHYSIO, TECHNIQUES, reference_load
from demo.schedules import schedules_generate
from demo.services import TEMPLATES, price_cents
from places.models import City, Province
from places.services import cities_load

MAX_CLINICS = 200_000
_SLUG_SEPARATORS = str.maketrans({"+": " ", "&": " ", "\u2013": "-", "\u2014": "-"})
BATCH_SIZE = 1000

# (disciplines practised, weight): single-discipline clinics and physio + massage are the most common.
_CLINIC_KINDS: list[tuple[tuple[str, ...], int]] = [
    ((PHYSIO,), 28),
    ((CHIRO,), 14),
    ((MASSAGE,), 9),
    ((PHYSIO, MASSAGE), 20),
    ((CHIRO, MASSAGE), 11),
    ((PHYSIO, CHIRO), 4),
    ((PHYSIO, CHIRO, MASSAGE), 14),
]
_DISCIPLINE_WEIGHT = {PHYSIO: 5, CHIRO: 2, MASSAGE: 4}
_PRACTITIONER_COUNTS = range(1, 11)
_PRACTITIONER_WEIGHTS = [6, 12, 16, 16, 14, 11, 9, 7, 5, 4]
_INSURER_COUNTS = range(0, 7)
_INSURER_COUNT_WEIGHTS = [15, 10, 15, 20, 18, 12, 10]
_NATIONAL_INSURERS = {
    "sun-life": 10,
    "manulife": 10,
    "canada-life": 10,
    "green-shield-canada": 8,
    "desjardins-insurance": 4,
    "ia-financial-group": 4,
    "beneva": 1,
    "rbc-insurance": 3,
    "empire-life": 3,
    "equitable-life": 3,
    "claimsecure": 3,
    "co-operators": 2,
}
_QUEBEC_INSURERS = {"desjardins-insurance": 10, "ia-financial-group": 9, "beneva": 9, "quebec-blue-cross": 8}
_BLUE_CROSS = {"AB": "alberta-blue-cross", "BC": "pacific-blue-cross", "MB": "manitoba-blue-cross"}
_BLUE_CROSS |= {"SK": "saskatchewan-blue-cross", "QC": "quebec-blue-cross"}


def _hours(*blocks: tuple[str, str, str]) -> list[tuple[int, time, time]]:
    """("0-4", "08:00", "20:00") -> one (weekday, opens, closes) per day of the range."""
    rows = []
    for days, opens, closes in blocks:
        first, _, last = days.partition("-")
        for weekday in range(int(first), int(last or first) + 1):
            rows.append((weekday, time.fromisoformat(opens), time.fromisoformat(closes)))
    return rows


_OPENING_HOURS: list[tuple[list[tuple[int, time, time]], int]] = [
    (_hours(("0-4", "08:00", "20:00"), ("5", "09:00", "14:00")), 30),
    (_hours(("0-3", "07:00", "19:00"), ("4", "07:00", "17:00")), 15),
    (_hours(("0-4", "09:00", "18:00")), 15),
    (_hours(("0", "08:00", "20:00"), ("1", "10:00", "19:00"), ("2", "08:00", "20:00"), ("3", "10:00", "19:00")), 10),
    (_hours(("0-4", "07:30", "12:00"), ("0-4", "13:00", "19:00"), ("5", "08:00", "12:00")), 10),
    (_hours(("0-4", "09:00", "21:00"), ("5-6", "10:00", "16:00")), 10),
    (_hours(("0-4", "06:30", "19:30"), ("5", "08:00", "15:00")), 10),
]
_OPENING_HOURS[3][0].extend(_hours(("4", "08:00", "16:00"), ("5", "09:00", "13:00")))


@dataclass
class _Reference:
    techniques: dict[str, int]
    languages: dict[str, int]
    insurers: dict[str, int]
    technique_names: dict[str, tuple[str, str]]
    techniques_by_discipline: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class _Batch:
    clinics: list[Clinic] = field(default_factory=list)
    hours: list[tuple[Clinic, int, time, time]] = field(default_factory=list)
    practitioners: list[tuple[Practitioner, list[int], list[int]]] = field(default_factory=list)
    clinic_links: list[tuple[Clinic, set[int], list[int]]] = field(default_factory=list)
    services: list[tuple[Service, list[Practitioner]]] = field(default_factory=list)


def network_generate(
    *, clinics: int, seed: int, progress: bool = False, schedules: bool = True, replace: bool = False
) -> list[int]:
    """Load cities and reference data, then create ``clinics`` clinics (and their schedules); returns their ids.

    With ``replace``, every existing clinic is deleted first, in the same transaction: if generating
    fails, the old network is still there.
    """
    if not 1 <= clinics <= MAX_CLINICS:
        raise ValueError(f"The number of clinics must be between 1 and {MAX_CLINICS} (got {clinics}).")
    cities_load()
    reference_load()
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets; reproducibility is the point
    namer = Namer.seeded(seed)
    reference = _reference()
    cities = list(
        City.objects.order_by("slug").only(
            "id", "name", "name_fr", "slug", "province", "latitude", "longitude", "population", "time_zone"
        )
    )
    chosen = _cities_for(rng, cities, clinics)
    ids: list[int] = []
    with transaction.atomic():
        if replace:
            network_delete()
        slugs: set[str] = set(Clinic.objects.values_list("slug", flat=True))
        with tqdm(total=clinics, unit="clinic", disable=not progress, desc="Clinics") as bar:
            for start in range(0, clinics, BATCH_SIZE):
                batch = _Batch()
                for city in chosen[start : start + BATCH_SIZE]:
                    _plan_clinic(rng, batch, city=city, namer=namer, reference=reference, slugs=slugs)
                ids.extend(_write(batch))
                bar.update(len(batch.clinics))
        if schedules:  # working hours, time off and bookings are the scheduling app's to generate
            schedules_generate(clinic_ids=ids, seed=seed, progress=progress)
    return ids


def network_delete() -> int:
    """Delete every clinic with what hangs off it (appointments and holds first: they protect clinics)."""
    with transaction.atomic():
        Hold.objects.all().delete()
        # Appointments and the big scheduling tables go in one plain DELETE each (nothing else points to them
        # but what is deleted just before): Django's collector would fetch every id and delete in batches,
        # which took most of a minute on PostgreSQL at 10,000 clinics.
        from booking.models import AppointmentEvent, IdempotencyKey
        from scheduling import models as scheduling

        IdempotencyKey.objects.filter(appointment__isnull=False).delete()
        from quality.models import Complaint, Review

        Complaint.objects.all().delete()  # they protect appointments (the demo writes them, patients too)
        Review.objects.all().delete()
        for table in (
            AppointmentEvent,
            Appointment,
            scheduling.NextOpenTime,
            scheduling.AvailabilityState,
            scheduling.WorkingHours,
            scheduling.TimeOff,
            scheduling.PostedOpening,
            scheduling.ClinicClosure,
            scheduling.ServiceBookingRules,
            scheduling.BookingRules,
        ):
            table.objects.all()._raw_delete(connection.alias)
        # Rows nothing points to go first, each in one DELETE; otherwise the collector would look
        # them up for every batch of practitioners and clinics it deletes.
        for leaf in (
            Service.practitioners.through,
            Practitioner.techniques.through,
            Practitioner.languages.through,
            Clinic.languages.through,
            Clinic.insurers.through,
            OpeningHours,
        ):
            leaf.objects.all().delete()
        count = Clinic.objects.count()
        Clinic.objects.all().delete()
    return count


def _reference() -> _Reference:
    reference = _Reference(
        techniques=dict(Technique.objects.values_list("slug", "id")),
        languages=dict(Language.objects.values_list("slug", "id")),
        insurers=dict(Insurer.objects.values_list("slug", "id")),
        technique_names={slug: (en, fr) for slug, (en, fr, _) in TECHNIQUES.items()},
    )
    for slug, (_, _, disciplines) in TECHNIQUES.items():
        for discipline in disciplines:
            reference.techniques_by_discipline.setdefault(discipline, []).append(slug)
    return reference


def _cities_for(rng: random.Random, cities: list[City], count: int) -> list[City]:
    """Cities weighted by population; with 13 clinics or more, each province and territory gets one."""
    chosen: list[City] = []
    if count >= len(Province.values):
        by_province: dict[str, list[City]] = defaultdict(list)
        for city in cities:
            by_province[city.province].append(city)
        for province in sorted(by_province):
            in_province = by_province[province]
            chosen.extend(rng.choices(in_province, weights=[c.population + 1 for c in in_province]))
    chosen.extend(rng.choices(cities, weights=[c.population + 1 for c in cities], k=count - len(chosen)))
    rng.shuffle(chosen)
    return chosen


def _plan_clinic(
    rng: random.Random, batch: _Batch, *, city: City, namer: Namer, reference: _Reference, slugs: set[str]
) -> None:
    lat, lng = _point_near(rng, city)
    province = city.province
    french_share = regions.french_share(province=province, lat=lat, lng=lng)
    french = french_share >= 1.0 or (province == "NB" and rng.random() < french_share)
    disciplines = rng.choices([k for k, _ in _CLINIC_KINDS], weights=[w for _, w in _CLINIC_KINDS])[0]
    city_name = city.name_fr if french else city.name
    address, street = namer.address(rng, french=french)
    name = namer.clinic(
        rng, disciplines=set(disciplines), french=french, city=city_name, street=street, province=province
    )
    slug = _unique_slug(name if city_name in name else f"{name} {city_name}", slugs)
    status, score = _network_status(rng)
    clinic = Clinic(
        name=name,
        slug=slug,
        city=city,
        address=address,
        postal_code=regions.postal_code(rng, province=province, lat=lat, lng=lng),
        province=province,
        latitude=lat,
        longitude=lng,
        time_zone=city.time_zone,
        phone=regions.phone_number(rng, province=province, lat=lat, lng=lng),
        # .example never resolves: demo clinics must not receive real email.
        email=f"info@{slug}.example",
        website=f"https://{slug}.example/" if rng.random() < 0.6 else "",
        description=namer.description(rng, disciplines=set(disciplines), french=french, city=city_name),
        wheelchair_accessible=rng.random() < 0.35,
        network_status=status,
        inspection_score=score,
    )
    if clinic.wheelchair_accessible:
        clinic.accessibility_notes = (
            "Entrée sans marche, toilettes adaptées." if french else "Step-free entrance and accessible washroom."
        )
    batch.clinics.append(clinic)
    pattern = rng.choices([h for h, _ in _OPENING_HOURS], weights=[w for _, w in _OPENING_HOURS])[0]
    batch.hours.extend((clinic, weekday, opens, closes) for weekday, opens, closes in pattern)

    staff = _plan_practitioners(
        rng, batch, clinic=clinic, disciplines=disciplines, french=french, city=city, namer=namer, reference=reference
    )
    languages = {reference.languages[code] for _, _, codes in staff for code in codes if code in reference.languages}
    batch.clinic_links.append((clinic, languages, _insurers(rng, province=province, reference=reference)))
    _plan_services(rng, batch, clinic=clinic, staff=staff, city=city, reference=reference)


def _point_near(rng: random.Random, city: City) -> tuple[float, float]:
    """A point within a few km of the centre; up to ~10 km in the biggest cities."""
    radius_km = 1.0 + 9.0 * min(1.0, math.sqrt(city.population / 2_500_000))
    distance = radius_km * math.sqrt(rng.random())  # uniform over the disc, not bunched at the centre
    bearing = rng.uniform(0, 2 * math.pi)
    lat = city.latitude + distance * math.cos(bearing) / 111.32
    lng = city.longitude + distance * math.sin(bearing) / (111.32 * math.cos(math.radians(city.latitude)))
    return round(lat, 6), round(lng, 6)


def _unique_slug(text: str, slugs: set[str]) -> str:
    base = slugify(text.translate(_SLUG_SEPARATORS))[:170] or "clinic"
    slug, n = base, 1
    while slug in slugs:
        n += 1
        slug = f"{base}-{n}"
    slugs.add(slug)
    return slug


def _network_status(rng: random.Random) -> tuple[str, int | None]:
    roll = rng.random()
    if roll < 0.88:
        return NetworkStatus.IN_NETWORK, round(rng.triangular(70, 99, 90))
    if roll < 0.96:
        return NetworkStatus.APPLICANT, None
    return NetworkStatus.SUSPENDED, rng.randint(45, 69)


def _plan_practitioners(
    rng: random.Random,
    batch: _Batch,
    *,
    clinic: Clinic,
    disciplines: tuple[str, ...],
    french: bool,
    city: City,
    namer: Namer,
    reference: _Reference,
) -> list[tuple[Practitioner, list[str], list[str]]]:
    """(practitioner, technique slugs, language slugs) for each practitioner planned for ``clinic``."""
    province, lat, lng = city.province, clinic.latitude, clinic.longitude
    count = max(len(disciplines), rng.choices(_PRACTITIONER_COUNTS, weights=_PRACTITIONER_WEIGHTS)[0])
    weights = [_DISCIPLINE_WEIGHT[d] for d in disciplines]
    assigned = list(disciplines) + rng.choices(disciplines, weights=weights, k=count - len(disciplines))
    french_share = regions.french_share(province=province, lat=lat, lng=lng)
    english_share = regions.english_share(province=province, lat=lat, lng=lng)
    other_chance = regions.other_language_chance(province=province, population=city.population)
    others = regions.OTHER_LANGUAGES[province]
    staff = []
    for discipline in assigned:
        languages = []
        if rng.random() < english_share:
            languages.append("en")
        if rng.random() < french_share:
            languages.append("fr")
        heritage = None
        if rng.random() < other_chance:
            heritage = rng.choices(list(others), weights=list(others.values()))[0]
            languages.append(heritage)
        if not languages:
            languages.append("fr" if french else "en")
        first, last = namer.person(rng, french="fr" in languages and (french or rng.random() < 0.5), heritage=heritage)
        techniques = rng.sample(reference.techniques_by_discipline[discipline], k=rng.randint(1, 4))
        college = regions.COLLEGES[discipline].get(province, "")
        technique_name = reference.technique_names[techniques[0]][1 if french else 0] if rng.random() < 0.7 else None
        practitioner = Practitioner(
            clinic=clinic,
            first_name=first,
            last_name=last,
            discipline=discipline,
            credentials=regions.credentials_for(rng, discipline=discipline, province=province),
            college=college,
            registration_number=str(rng.randint(1000, 99999)) if college else "",
            bio=namer.bio(rng, first_name=first, discipline=discipline, technique=technique_name, french=french),
        )
        batch.practitioners.append(
            (
                practitioner,
                [reference.techniques[t] for t in techniques if t in reference.techniques],
                [reference.languages[code] for code in languages if code in reference.languages],
            )
        )
        staff.append((practitioner, techniques, languages))
    return staff


def _insurers(rng: random.Random, *, province: str, reference: _Reference) -> list[int]:
    weights = dict(_QUEBEC_INSURERS if province == "QC" else _NATIONAL_INSURERS)
    weights[_BLUE_CROSS.get(province, "medavie-blue-cross")] = 8
    count = rng.choices(_INSURER_COUNTS, weights=_INSURER_COUNT_WEIGHTS)[0]
    picked: list[str] = []
    while len(picked) < min(count, len(weights)):
        slug = rng.choices(list(weights), weights=list(weights.values()))[0]
        weights.pop(slug)
        picked.append(slug)
    return [reference.insurers[slug] for slug in picked if slug in reference.insurers]


def _plan_services(
    rng: random.Random,
    batch: _Batch,
    *,
    clinic: Clinic,
    staff: list[tuple[Practitioner, list[str], list[str]]],
    city: City,
    reference: _Reference,
) -> None:
    for template in TEMPLATES:
        offering = [
            p
            for p, techniques, _ in staff
            if p.discipline == template.discipline and template.technique in (None, *techniques)
        ]
        if not offering or (template.chance < 1.0 and rng.random() >= template.chance):
            continue
        duration = rng.choice(template.durations)
        service = Service(
            clinic=clinic,
            name=template.name,
            name_fr=template.name_fr,
            discipline=template.discipline,
            kind=template.kind,
            delivery=template.delivery,
            duration_minutes=duration,
            price_cents=price_cents(rng, template, duration=duration, city_population=city.population),
        )
        batch.services.append((service, offering))


def _write(batch: _Batch) -> list[int]:
    # Django's bulk_create spends ~90 µs a row preparing and compiling; plain multi-row INSERTs
    # (RETURNING the ids of the rows later ones point to) do the same work in a fraction of it.
    _insert_returning(batch.clinics)
    _insert_returning([p for p, _, _ in batch.practitioners])
    _insert_returning([s for s, _ in batch.services])
    adapt_time = connection.ops.adapt_timefield_value
    _insert(
        OpeningHours,
        ["clinic_id", "weekday", "opens", "closes"],
        [(c.pk, w, adapt_time(o), adapt_time(e)) for c, w, o, e in batch.hours],
    )
    _link(Practitioner.techniques, [(p.pk, t) for p, techniques, _ in batch.practitioners for t in techniques])
    _link(Practitioner.languages, [(p.pk, lang) for p, _, languages in batch.practitioners for lang in languages])
    _link(Clinic.languages, [(c.pk, lang) for c, languages, _ in batch.clinic_links for lang in sorted(languages)])
    _link(Clinic.insurers, [(c.pk, i) for c, _, insurers in batch.clinic_links for i in insurers])
    _link(Service.practitioners, [(s.pk, p.pk) for s, offering in batch.services for p in offering])
    return [c.pk for c in batch.clinics]


def _insert_returning(objs: list[Any]) -> None:
    """INSERT unsaved model instances and set their primary keys (as bulk_create does, minus its overhead).

    Like bulk_create, relies on SQLite and PostgreSQL returning the ids of a multi-row INSERT in row order.
    """
    if not objs:
        return
    meta = objs[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]  # the database fills those
    now = timezone.now()
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                setattr(obj, f.attname, now)
    rows = [
        # A foreign key's id is read from its object: that object got its id only just now.
        tuple(
            getattr(obj, f.name).pk if f.many_to_one else f.get_db_prep_save(getattr(obj, f.attname), connection)
            for f in fields
        )
        for obj in objs
    ]
    ids = _insert(meta.model, [f.column for f in fields], rows, returning=meta.pk.column)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False


def _link(descriptor: Any, pairs: list[tuple[int, int]]) -> None:
    """Insert M2M through-rows directly: one statement per batch instead of one per object."""
    field = descriptor.field
    through: type[models.Model] = descriptor.through
    _insert(through, [field.m2m_column_name(), field.m2m_reverse_name()], pairs)


def _insert(
    model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]], returning: str | None = None
) -> list[Any]:
    """Multi-row INSERTs of ``rows`` (as many rows a statement as the database takes); the ``returning`` values."""
    quote = connection.ops.quote_name
    # Table and column names come from model metadata, values go as parameters.
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
    tail = f" RETURNING {quote(returning)}" if returning else ""
    row = f"({', '.join(['%s'] * len(columns))})"
    # SQLite reports its limit (999 here, 32766 in newer builds); on PostgreSQL (65535) smaller statements plan faster.
    rows_per_query = max(1, min(connection.features.max_query_params or 3000, 3000) // len(columns))
    returned: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), rows_per_query):
            chunk = rows[start : start + rows_per_query]
            cursor.execute(head + ", ".join([row] * len(chunk)) + tail, [v for r in chunk for v in r])
            if returning:
                returned.extend(value for (value,) in cursor.fetchall())
    return returned
