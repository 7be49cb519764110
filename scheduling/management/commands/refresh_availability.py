"""Top up precomputed next openings and delete those past their notice: once, or every --every seconds (run beside
`manage.py db_worker`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from notifications.rounds import Round, RoundsCommand
from scheduling.cache import next_open_times_round, refresh_all


class Command(RoundsCommand):
    help = (
        "Recompute the next openings of clinics whose cached times are running out or old (time passing, "
        "lapsed holds), and of clinics never computed; delete cached times whose notice has passed. --all recomputes "
        "every clinic."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--all", action="store_true", help="Recompute every clinic, fresh or not.")
        parser.add_argument("--batch", type=int, default=500, help="At most this many clinics per round.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            rows = refresh_all(now=timezone.now(), progress=options["verbosity"] > 0)
            self.stdout.write(f"availability: recomputed every clinic ({rows} next openings)")
            return
        super().handle(*args, **options)

    def one_round(self, **options: Any) -> Round:
        pruned, count = next_open_times_round(now=timezone.now(), batch=options["batch"])
        return Round(
            count + pruned,
            f"availability: topped up {count} clinics, deleted {pruned} times past their notice",
            more_waiting=count >= options["batch"],  # a full batch: more clinics are due
        )
