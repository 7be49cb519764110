"""The "Tell us what hurts" pages: a guided form, one step per screen, and the answer page.

The draft lives in the server-side session and is written on POST only (every step POSTs and redirects to the
next one, so a reload shows the same step with the same answers); a GET only reads it. The URLs carry no
health information: a step is ``?step=3``, and the answer page is the intake's public id. The secret that
opens it, the intake's token, stays in the session too (``intake_tokens``): never in a URL, a cookie's value
or a log line. A public id without the session that created it is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from booking.hooks import SESSION_INTAKE_TOKEN
from clinics.models import Discipline, Technique
from painhero.http import client_ip
from patients.answers import AnswerError, region_labels
from patients.body_map import FIGURES
from patients.consultation import free_consultations_soonest
from patients.forms import (
    AboutForm,
    ActivitiesForm,
    ConsentForm,
    HowLongForm,
    PainForm,
    StepForm,
    WarningSignsForm,
    WhereForm,
)
from patients.health_lines import health_line
from patients.models import PRIVACY_NOTICE_VERSION, Intake, TriageLevel
from patients.rules import DURATIONS, MESSAGES, REGIONS, red_flags_for
from patients.services import IntakeError, intake_clearance_confirm, intake_create, intake_open
from places.models import City, Province

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

DRAFT_KEY = "intake_draft"
TOKENS_KEY = "intake_tokens"


@dataclass(frozen=True)
class Step:
    name: str
    title: StrPromise
    form: type[StepForm]
    required: tuple[str, ...]


STEPS = (
    Step("where", _("Where it hurts"), WhereForm, ("region",)),
    Step("how_long", _("How long, and how it started"), HowLongForm, ("duration", "onset")),
    Step("pain", _("How bad it is now"), PainForm, ("pain_now",)),
    Step("activities", _("What you cannot do"), ActivitiesForm, ("activities",)),
    Step("about", _("Your goals, and about you"), AboutForm, ("age",)),
    Step("warning_signs", _("Warning signs"), WarningSignsForm, ()),
    Step("consent", _("Check and send"), ConsentForm, ()),
)


# --- The draft (in the session) -----------------------------------------------------------------------------


def _draft(request: HttpRequest) -> dict[str, Any]:
    draft = request.session.get(DRAFT_KEY)
    return dict(draft) if isinstance(draft, dict) else {}


def _draft_save(request: HttpRequest, answers: dict[str, Any]) -> None:
    request.session[DRAFT_KEY] = answers


def _complete(step: Step, answers: dict[str, Any]) -> bool:
    if step.name == "warning_signs":
        return "region" in answers and all(
            isinstance(answers.get(q.id), bool) for q in red_flags_for(answers["region"])
        )
    if step.name == "consent":
        return False
    return all(key in answers for key in step.required)


def _first_incomplete(answers: dict[str, Any]) -> int:
    """1-based number of the first step still to answer: the furthest a patient may go."""
    for number, step in enumerate(STEPS, start=1):
        if not _complete(step, answers):
            return number
    return len(STEPS)


def _form(step: Step, answers: dict[str, Any], data: Any = None) -> StepForm:
    extra = {"regions": answers.get("region", [])} if step.form is WarningSignsForm else {}
    if data is not None:
        return step.form(data, **extra)
    return step.form(initial=step.form.initial_from(answers, **extra), **extra)


def _step_url(number: int) -> str:
    return f"{reverse('patients:intake')}?{urlencode({'step': number})}"


def _private(response: HttpResponse) -> HttpResponse:
    """Health information on the page: never cached, never sent on as a Referer to another site."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _render_step(request: HttpRequest, number: int, form: StepForm, answers: dict[str, Any], status: int) -> Any:
    step = STEPS[number - 1]
    context = {
        "step": step,
        "number": number,
        "total": len(STEPS),
        "form": form,
        "regions": answers.get("region", []),
        "region_labels": region_labels(answers.get("region", [])),
        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
        "figures": FIGURES if step.name == "where" else (),
    }
    return _private(
        render(request, f"patients/step_{step.name}.html", {**context, "private_page": True}, status=status)
    )


def _parse_step(raw: str | None, answers: dict[str, Any]) -> int:
    furthest = _first_incomplete(answers)
    try:
        number = int(raw or furthest)
    except ValueError:
        number = furthest
    return max(1, min(number, furthest))


@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    answers = _draft(request)
    if request.method == "GET":
        number = _parse_step(request.GET.get("step"), answers)
        return _render_step(request, number, _form(STEPS[number - 1], answers), answers, 200)

    number = _parse_step(request.POST.get("step"), answers)
    step = STEPS[number - 1]
    toggle = request.POST.get("toggle")
    if step.name == "where" and toggle in REGIONS:
        # The body map without JavaScript: each region is a submit button that turns it on or off.
        chosen = {r for r in request.POST.getlist("region") if r in REGIONS} ^ {toggle}
        answers["region"] = [r for r in REGIONS if r in chosen]
        if not answers["region"]:
            del answers["region"]
        _draft_save(request, answers)
        return HttpResponseRedirect(_step_url(number) + "#body-map")

    form = _form(step, answers, request.POST)
    going_back = request.POST.get("action") == "back"
    if going_back:
        if form.is_valid() and step.name != "consent":
            _keep(request, answers, step, form)
        return HttpResponseRedirect(_step_url(max(1, number - 1)))
    if not form.is_valid():
        return _render_step(request, number, form, answers, 400)
    if step.name != "consent":
        _keep(request, answers, step, form)
        return HttpResponseRedirect(_step_url(number + 1))
    return _send(request, answers, form)


def _keep(request: HttpRequest, answers: dict[str, Any], step: Step, form: StepForm) -> None:
    answers.update(form.answers())
    if isinstance(form, AboutForm):
        for key in form.cleared():
            answers.pop(key, None)
    _draft_save(request, answers)


def _send(request: HttpRequest, answers: dict[str, Any], form: StepForm) -> HttpResponse:
    try:
        created = intake_create(
            answers=answers,
            language=get_language(),
            consent=form.cleaned_data["consent"],
            now=timezone.now(),
            ip=client_ip(request),
        )
    except AnswerError:
        # A step was left incomplete (or the regions changed since the warning signs): back to the first one.
        return HttpResponseRedirect(_step_url(_first_incomplete(answers)))
    except IntakeError as error:
        form.add_error(None, error.message)
        return _render_step(request, len(STEPS), form, answers, error.status)
    tokens = dict(request.session.get(TOKENS_KEY) or {})
    tokens[str(created.intake.public_id)] = created.token
    request.session[TOKENS_KEY] = tokens
    request.session.pop(DRAFT_KEY, None)
    return HttpResponseRedirect(reverse("patients:answer", kwargs={"public_id": created.intake.public_id}))


# --- The answer ------------------------------------------------------------------------------------------------


def _open(request: HttpRequest, public_id: Any, where: str) -> Intake:
    token = (request.session.get(TOKENS_KEY) or {}).get(str(public_id), "")
    found = intake_open(public_id=public_id, token=token, where=where, now=timezone.now())
    if found is None:
        raise Http404
    return found


def _technique_labels(slugs: list[str]) -> list[tuple[str, str, bool]]:
    """(slug, label, known to the directory) in the order given."""
    known = {t.slug: t.label for t in Technique.objects.filter(slug__in=slugs)}
    return [(slug, known.get(slug, slug.replace("-", " ").capitalize()), slug in known) for slug in slugs]


def _search_url(**params: str) -> str:
    return f"{reverse('directory:search')}?{urlencode({k: v for k, v in params.items() if v})}"


@require_http_methods(["GET"])
def answer(request: HttpRequest, public_id: Any) -> HttpResponse:
    intake = _open(request, public_id, "patients:answer")
    answers = intake.answers
    disciplines = [(d, Discipline(d).label) for d in intake.suggested_disciplines]
    techniques = _technique_labels(intake.suggested_techniques)
    first_technique = next((slug for slug, _label, known in techniques if known), "")
    province = request.GET.get("province", "")
    if province not in Province.values:
        province = ""
    context = {
        "intake": intake,
        "level": intake.triage,
        "reasons": [(c, MESSAGES[c]) for c in intake.reasons],
        "regions": region_labels(answers.get("region", [])),
        "duration": DURATIONS.get(answers.get("duration", "")),
        "disciplines": disciplines,
        "techniques": techniques,
        "may_book": intake.may_book,
        "provinces": Province.choices,
        "province": province,
        "health_line": health_line(province),
        "find_links": [
            (label, _search_url(discipline=d, technique=first_technique if i == 0 else ""))
            for i, (d, label) in enumerate(disciplines)
        ],
        "consultation_url": reverse("patients:consult", kwargs={"public_id": intake.public_id}),
        "start_again_url": reverse("patients:intake"),
        "language": get_language(),
    }
    return _private(render(request, "patients/answer.html", {**context, "private_page": True}))


@require_POST
def clearance(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The patient confirms a doctor has seen them (urgent answers only): recorded, then booking is offered."""
    intake = _open(request, public_id, "patients:clearance")
    if intake.triage != TriageLevel.URGENT:
        raise Http404
    try:
        intake_clearance_confirm(intake=intake, now=timezone.now())
    except IntakeError as error:  # pragma: no cover - the triage was checked just above
        raise Http404 from error
    return HttpResponseRedirect(reverse("patients:answer", kwargs={"public_id": intake.public_id}) + "#book")


# --- The free consultation -------------------------------------------------------------------------------------


# Where the patient is, as the consultations page takes it: a city picked (``city``, a slug) or typed (``where``),
# or a position from "Near me" (``lat``/``lng``). Passed through from the answer page's button.
_PLACE_KEYS = ("province", "city", "where", "lat", "lng")


@dataclass(frozen=True)
class _Place:
    near: tuple[float, float] | None = None
    label: str = ""  # the city's name, to say "near Halifax"
    error: str = ""  # what to fix, shown beside the box


def _place(query: Any) -> _Place:
    """Read where the patient is from the query; a place that cannot be read says why, and is then ignored."""
    lat, lng = query.get("lat", "").strip(), query.get("lng", "").strip()
    if lat or lng:
        try:
            point = (float(lat), float(lng))
        except ValueError:
            return _Place(error=str(_("Your position could not be read. Type your city instead.")))
        if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):  # NaN fails these too
            return _Place(error=str(_("Your position could not be read. Type your city instead.")))
        return _Place(near=point, label=str(_("your position")))
    city: City | None = None
    slug, typed = query.get("city", "").strip(), query.get("where", "").strip()
    if slug:
        city = City.objects.filter(slug=slug[:140]).first()
    if city is None and typed:
        city = City.objects.matching(typed[:120]).order_by("-population", "name").first()
        if city is None:
            return _Place(
                error=str(
                    _(
                        "We could not find a Canadian city called “%(name)s”. "
                        "Check the spelling or pick one from the list."
                    )
                    % {"name": typed[:120]}
                )
            )
    if city is None:
        return _Place()
    return _Place(near=(city.latitude, city.longitude), label=city.display_name)


@require_POST
def consult(request: HttpRequest, public_id: Any) -> HttpResponse:
    """ "Book a free consultation": this intake goes with the free consultation booked next from this browser
    (its token in the session, under booking's key), then the soonest free consultations are shown."""
    intake = _open(request, public_id, "patients:consult")
    if not intake.may_book:  # invariant 9: the page offers no button then; a forged POST gets nothing either
        raise Http404
    token = (request.session.get(TOKENS_KEY) or {}).get(str(intake.public_id), "")
    request.session[SESSION_INTAKE_TOKEN] = token
    place = {key: request.POST.get(key, "").strip()[:140] for key in _PLACE_KEYS}
    if place["province"] not in Province.values:
        place["province"] = ""
    kept = {key: value for key, value in place.items() if value}
    query = f"?{urlencode(kept)}" if kept else ""
    return HttpResponseRedirect(reverse("patients:consultations", kwargs={"public_id": intake.public_id}) + query)


@require_http_methods(["GET"])
def consultations(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The soonest free consultations for this intake's suggested care, near the patient when they say where they
    are (a read of the intake, so recorded)."""
    intake = _open(request, public_id, "patients:consultations")
    if not intake.may_book:
        raise Http404
    token = (request.session.get(TOKENS_KEY) or {}).get(str(public_id), "")
    province = request.GET.get("province", "")
    if province not in Province.values:
        province = ""
    place = _place(request.GET)
    offers = free_consultations_soonest(
        disciplines=list(intake.suggested_disciplines), province=province, near=place.near, now=timezone.now()
    )
    context = {
        "intake": intake,
        "offers": offers,
        "province": province,
        "provinces": Province.choices,
        "place": place,
        "where": request.GET.get("where", "").strip()[:120] if place.error else place.label,
        "city_slug": request.GET.get("city", "").strip()[:140] if place.near and not request.GET.get("lat") else "",
        "search_url": _search_url(
            discipline=(intake.suggested_disciplines or [""])[0],
            sort="soonest",
            **({"lat": f"{place.near[0]:.5f}", "lng": f"{place.near[1]:.5f}"} if place.near else {}),
        ),
        "carried": request.session.get(SESSION_INTAKE_TOKEN) == token,
        "private_page": True,
    }
    return _private(render(request, "patients/consultations.html", context))
