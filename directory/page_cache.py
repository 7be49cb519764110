"""What the clinic pages keep in the cache (``django.core.cache``: Redis in production), and when it stops being true.

Cached: a clinic's public record as ``clinic_get`` loads it (clinic, city, practitioners with their techniques
and languages, services, opening hours, languages, insurers) and the rendered static parts of its page; the
techniques, languages and insurers with their labels. With a shared cache (``CLINIC_PAGE_CACHE_SECONDS``), also
the whole page as a visitor without a session sees it, open times included, keyed by the clinic's open-times
token as well (``scheduling.cache.open_times_token``: every booking, hold, cancellation and schedule change
replaces it) and kept only as long as time alone leaves it true (``stored_page_seconds``).

Each clinic's entries are keyed by a *version*: a token in the cache that any change to what its page shows
replaces (``clinic_changed``), and a stamp read from the database with the clinic on every request (its
``updated_at`` and how many active practitioners and services it has: retiring one is an UPDATE that sends no
signal). The labels, and every clinic page with them, are keyed by a second token (``reference_changed``) that
a change to a technique, language, insurer or city replaces. A token is replaced right away and again once the
transaction commits, so a request that read the old rows in between cannot leave them cached under the new
token. Entries also expire after ``CACHE_TIMEOUT`` seconds, a bound on anything written without the ORM.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Min, Model, OuterRef, QuerySet, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from booking.models import Hold
from clinics.models import Clinic, Insurer, Language, OpeningHours, Practitioner, Service, Technique
from directory.search import ClinicHit
from directory.selectors import clinic_get
from painhero.http import is_htmx
from places.models import City
from quality.models import ClinicRating, Review, ReviewReply
from scheduling.cache import areas_changed, cache_tokens, open_times_token

REFERENCE_KEY = "reference-version"


def _token_key(clinic_id: int) -> str:
    return f"clinic-token:{clinic_id}"


def _replace(key: str) -> None:
    def replace() -> None:
        cache.set(key, uuid.uuid4().hex, timeout=None)

    replace()
    transaction.on_commit(replace)


def clinic_changed(clinic_id: int) -> None:
    """Something the clinic's public page shows changed: its cached record and fragments are no longer read, nor
    the search answers of its area (``scheduling.cache.areas_changed``)."""
    _replace(_token_key(clinic_id))
    areas_changed(clinic_ids=[clinic_id])
    transaction.on_commit(partial(areas_changed, clinic_ids=[clinic_id]))


def reference_changed() -> None:
    """A technique, language, insurer or city changed: every label, and every clinic page, is read anew."""
    _replace(REFERENCE_KEY)


def reference_labels() -> dict[str, Any]:
    """Techniques, languages and insurers with their labels by slug (the search hands back slugs)."""
    (token,) = cache_tokens(REFERENCE_KEY)
    key = f"reference-rows:{token}"
    rows = cache.get(key)
    if rows is None:
        rows = (list(Technique.objects.all()), list(Language.objects.all()), list(Insurer.objects.all()))
        cache.set(key, rows)
    techniques, languages, insurers = rows
    # Labels are read in the visitor's language, so they are made per request from the cached rows.
    return {
        "techniques": techniques,
        "languages": languages,
        "insurers": insurers,
        "technique_labels": {t.slug: t.label for t in techniques},
        "language_labels": {lang.slug: lang.label for lang in languages},
        "insurer_labels": {insurer.slug: insurer.label for insurer in insurers},
    }


def _active(model: type[Practitioner] | type[Service]) -> Subquery:
    rows: QuerySet[Any] = model.objects.filter(clinic=OuterRef("pk"), is_active=True).order_by()
    return Subquery(rows.values("clinic_id").annotate(n=Count("pk")).values("n")[:1])


def clinic_page_version(*, city_slug: str, clinic_slug: str) -> tuple[int, str] | None:
    """The in-network clinic's id and the version its page's cached parts go under; None: no such clinic.

    One indexed query (the stamp) and one read of the cache (the tokens)."""
    stamp = (
        Clinic.objects.in_network()
        .filter(slug=clinic_slug, city__slug=city_slug)
        .annotate(practitioners_active=_active(Practitioner), services_active=_active(Service))
        .values_list("pk", "updated_at", "practitioners_active", "services_active")
        .first()
    )
    if stamp is None:
        return None
    pk, updated_at, practitioners, services = stamp
    clinic_token, reference_token = cache_tokens(_token_key(pk), REFERENCE_KEY)
    return pk, f"{pk}:{updated_at.isoformat()}:{practitioners}:{services}:{clinic_token}:{reference_token}"


def clinic_page_get(
    *, city_slug: str, clinic_slug: str, current: tuple[int, str] | None = None
) -> tuple[ClinicHit, str] | None:
    """The in-network clinic ``clinic_slug`` of ``city_slug`` as ``clinic_get`` loads it (without next times),
    and the version key its page's cached fragments go under; None if there is no such clinic. ``current``: the
    ``clinic_page_version`` the caller already read (the stored-page lookup), so the stamp is read once."""
    found = current or clinic_page_version(city_slug=city_slug, clinic_slug=clinic_slug)
    if found is None:
        return None
    pk, version = found
    key = f"clinic-record:{version}"
    hit = cache.get(key)
    if hit is None:
        hit = clinic_get(id_or_slug=str(pk))
        if hit is None:  # left the network between the two reads
            return None
        cache.set(key, hit)
    return hit, version


# --- the whole page, for visitors without a session ---------------------------------------------------------

# Stands for the CSRF token (the language switch is a POST form) in a stored page: each visitor gets their own.
CSRF_PLACEHOLDER = "csrf-token-of-this-visitor-3f9c1b7e"


def stored_page_key(request: HttpRequest, city_slug: str, clinic_slug: str) -> tuple[str, tuple[int, str]] | None:
    """Where this request's clinic page is stored (and the clinic's version, read once for the whole request), or
    None when it must be rendered for this visitor alone.

    Only with a cache every process shares (``CLINIC_PAGE_CACHE_SECONDS`` > 0, Redis) and only for a plain GET
    from a visitor without a session or messages (someone signed in, or with a message waiting, gets their own
    page). The key holds everything the page is made of: the clinic's version (record, labels), its open-times
    token (every booking, hold, cancellation and schedule change replaces it), the language and the query.
    """
    if settings.CLINIC_PAGE_CACHE_SECONDS <= 0 or request.method != "GET" or is_htmx(request):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
        return None
    current = clinic_page_version(city_slug=city_slug, clinic_slug=clinic_slug)
    if current is None:
        return None
    clinic_id, version = current
    query = hashlib.blake2b(request.GET.urlencode().encode(), digest_size=12).hexdigest()
    return f"clinic-page:{version}:{open_times_token(clinic_id)}:{get_language()}:{query}", current


def stored_page_read(request: HttpRequest, key: str) -> HttpResponse | None:
    content = cache.get(key)
    if content is None:
        return None
    return _for_this_visitor(request, HttpResponse(content))


def stored_page_write(request: HttpRequest, response: HttpResponse, *, key: str, seconds: int) -> HttpResponse:
    """Store the page rendered with ``CSRF_PLACEHOLDER`` (if it is worth it) and answer it to this visitor."""
    if response.status_code == 200 and seconds >= 1:
        cache.set(key, response.content, timeout=seconds)
    return _for_this_visitor(request, response)


def _for_this_visitor(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # get_token also has CsrfViewMiddleware send the visitor's CSRF cookie, as rendering {% csrf_token %} would.
    response.content = response.content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    return response


def stored_page_seconds(*, clinic_id: int, zone: ZoneInfo, first_time_leaves_at: datetime | None, now: datetime) -> int:
    """How long a page rendered at ``now`` stays true if nothing is written: until midnight in the clinic's zone
    ("Today" moves), the first time shown reaching its minimum notice, a hold lapsing, and at most
    ``CLINIC_PAGE_CACHE_SECONDS``. Writes are not waited for: they replace the tokens the page is keyed by."""
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time.min, tzinfo=zone)
    bounds = [now + timedelta(seconds=settings.CLINIC_PAGE_CACHE_SECONDS), midnight]
    if first_time_leaves_at is not None:
        bounds.append(first_time_leaves_at)
    # A lapsing hold gives its time back without a write.
    lapses = Hold.objects.filter(practitioner__clinic_id=clinic_id, expires_at__gt=now).aggregate(
        first=Min("expires_at")
    )["first"]
    if lapses is not None:
        bounds.append(lapses)
    return max(0, int((min(bounds) - now).total_seconds()))


# --- invalidation --------------------------------------------------------------------------------------------


def _on_save_or_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if isinstance(instance, Clinic):
        clinic_changed(instance.pk)
    elif isinstance(instance, Practitioner | Service | OpeningHours):
        clinic_changed(instance.clinic_id)
    else:
        reference_changed()


def _on_links_changed(sender: type[Model], instance: Model, action: str, **kwargs: Any) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, Clinic):
        clinic_changed(instance.pk)
    elif isinstance(instance, Practitioner | Service):
        clinic_changed(instance.clinic_id)
    else:
        # From the other side (a language's clinics, a technique's practitioners): many pages at once.
        reference_changed()


for _model in (Clinic, Practitioner, Service, OpeningHours, Technique, Language, Insurer, City):
    post_save.connect(_on_save_or_delete, sender=_model, dispatch_uid=f"page_cache_save_{_model.__name__}")
    post_delete.connect(_on_save_or_delete, sender=_model, dispatch_uid=f"page_cache_delete_{_model.__name__}")
for _links in (
    Clinic.languages.through,
    Clinic.insurers.through,
    Practitioner.techniques.through,
    Practitioner.languages.through,
    Service.practitioners.through,
):
    m2m_changed.connect(_on_links_changed, sender=_links, dispatch_uid=f"page_cache_links_{_links.__name__}")


def _on_review_changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    # A review written or published, its clinic's figures, a reply: the clinic page's reviews section shows them.
    if isinstance(instance, ReviewReply):
        clinic_id = Review.objects.filter(pk=instance.review_id).values_list("clinic_id", flat=True).first()
    else:
        clinic_id = getattr(instance, "clinic_id", None)
    if clinic_id is not None:
        clinic_changed(clinic_id)


for _review_model in (Review, ReviewReply, ClinicRating):
    post_save.connect(
        _on_review_changed, sender=_review_model, dispatch_uid=f"page_cache_save_{_review_model.__name__}"
    )
    post_delete.connect(
        _on_review_changed, sender=_review_model, dispatch_uid=f"page_cache_delete_{_review_model.__name__}"
    )
