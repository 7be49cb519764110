"""``manage.py smart_import MANIFEST_URL --clinic SLUG [--dry-run]``: load a SMART Scheduling Links feed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from clinics.models import Clinic
from interop.fetching import FeedUnavailable
from interop.ingest import feed_read
from interop.models import FeedSubscription
from interop.services import MappingError, smart_import


def _override(value: str) -> tuple[str, int]:
    schedule, sep, practitioner = value.partition("=")
    if not sep or not schedule or not practitioner.isdigit():
        raise CommandError(f"--schedule takes SCHEDULE_ID=PRACTITIONER_ID (e.g. 12.65=340), not {value!r}")
    return schedule, int(practitioner)


class Command(BaseCommand):
    help = (
        "Turn the free Slots of a SMART Scheduling Links feed ($bulk-publish manifest, file:// or http(s)) into "
        "the clinic's posted openings; withdraw those that left the feed (never a booked time). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("manifest_url")
        parser.add_argument("--clinic", required=True, help="The clinic's slug.")
        parser.add_argument("--location", help="The feed's Location id that is this clinic (when it has several).")
        parser.add_argument(
            "--schedule",
            action="append",
            default=[],
            metavar="SCHEDULE_ID=PRACTITIONER_ID",
            help="Book this Schedule's Slots with this practitioner (repeatable).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = Clinic.objects.filter(slug=options["clinic"]).first()
        if clinic is None:
            raise CommandError(f"No clinic has the slug {options['clinic']!r}.")
        # The clinic's saved mapping (its feed subscription) first; what the command line says wins.
        saved = FeedSubscription.objects.filter(clinic=clinic).first()
        overrides = {str(k): int(v) for k, v in (saved.schedule_map if saved else {}).items()}
        overrides.update(_override(value) for value in options["schedule"])
        location = options["location"] or (saved.location_id if saved and saved.location_id else None)
        quiet = options["verbosity"] < 1
        now = timezone.now()
        try:
            feed = feed_read(options["manifest_url"])
            report = smart_import(
                feed=feed,
                clinic=clinic,
                now=now,
                location_id=location,
                overrides=overrides,
                dry_run=options["dry_run"],
                progress=None if quiet else lambda steps: tqdm(steps, desc="openings", unit="slot", file=self.stderr),
            )
        except FeedUnavailable as exc:
            raise CommandError(f"{exc} The clinic's openings are as they were.") from None
        except MappingError as exc:
            raise CommandError(str(exc)) from None
        out = self.stdout.write
        out(f"Location {report.location_id} -> {clinic.slug}")
        for schedule_id, practitioner in report.mapped.items():
            out(f"Schedule {schedule_id} -> practitioner {practitioner.pk} ({practitioner.full_name})")
        for schedule_id, reason in report.unmapped.items():
            out(f"Schedule {schedule_id} not mapped: {reason}")
        prefix = "dry run, would have " if options["dry_run"] else ""
        out(
            f"{prefix}loaded {report.loaded}, unchanged {report.unchanged}, withdrawn {report.withdrawn}, "
            f"kept because booked {len(report.kept_booked)}, skipped {len(report.skipped)}, "
            f"busy ignored {report.busy_ignored}, past ignored {report.past_ignored}"
        )
        for row in report.kept_booked:
            out(f"kept (booked): {row.start.isoformat()} to {row.end.isoformat()}, Slot {row.slot_id}")
        for error in report.skipped:
            out(f"skipped: {error}")
