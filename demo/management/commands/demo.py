"""``manage.py demo --clinics N --seed S``: fill the database with a realistic Canadian network."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError
from django.utils import timezone

from clinics.models import Clinic
from demo.network import MAX_CLINICS, network_generate
from demo.staff import staff_generate  # the clinic portal's demo sign-ins
from quality.demo import inspections_generate
from quality.demo_reviews import reviews_generate


class Command(BaseCommand):
    help = (
        "Generate a realistic, reproducible network of clinics across Canada (cities, techniques, languages and "
        "insurers are loaded first). The same seed always gives the same network."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinics", type=int, default=3000, help="How many clinics (default 3000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument("--if-empty", action="store_true", help="Do nothing if the database already has clinics.")
        existing.add_argument(
            "--replace", action="store_true", help="Delete every clinic (and its appointments) first."
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar.")
        parser.add_argument(
            "--without-schedules",
            action="store_true",
            help="Clinics, practitioners and services only: no working hours or bookings (faster).",
        )

    def handle(
        self,
        *args: Any,
        clinics: int,
        seed: int,
        if_empty: bool,
        replace: bool,
        no_progress: bool,
        without_schedules: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        if not 1 <= clinics <= MAX_CLINICS:
            raise CommandError(f"--clinics must be between 1 and {MAX_CLINICS} (got {clinics}).")
        existing = Clinic.objects.count()
        clinics_there = f"{existing} clinic{'s' if existing != 1 else ''}"
        if existing and if_empty:
            self.stdout.write(f"The database already has {clinics_there}: nothing to do (--if-empty).")
            return
        if existing and not replace:
            raise CommandError(
                f"The database already has {clinics_there}. Use --replace to delete them (and their "
                "appointments) first, or --if-empty to leave them."
            )
        started = time.monotonic()
        try:
            ids = network_generate(
                clinics=clinics,
                seed=seed,
                progress=verbosity > 0 and not no_progress,
                schedules=not without_schedules,
                replace=bool(existing),
            )
        except ProtectedError as exc:
            blockers = sorted({str(type(obj)._meta.verbose_name_plural) for obj in exc.protected_objects})
            raise CommandError(
                f"Cannot delete the existing clinics: {', '.join(blockers)} still point to them."
            ) from None
        if existing:
            self.stdout.write(f"Replaced {clinics_there}.")
        inspected = inspections_generate(seed=seed, now=timezone.now())  # every score derived from 50 points
        reviewed, complained = reviews_generate(seed=seed, now=timezone.now())  # from past completed visits
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Created {len(ids)} clinics (seed {seed}) in {elapsed:.1f} s."))
        self.stdout.write(f"Inspected {inspected} clinics (the network team's workspace: /admin/quality/).")
        self.stdout.write(f"Wrote {reviewed} verified reviews and {complained} complaints from past visits.")
        self.stdout.write("Clinic portal sign-ins (/portal/sign-in/):")
        for email, password, role, clinic_name in staff_generate(seed=seed):
            self.stdout.write(f"  {email} / {password}  ({role}, {clinic_name})")
