"""``manage.py load_cities``: insert or refresh Canadian cities from the offline GeoNames extract."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from places.services import DEFAULT_MIN_POPULATION, GEONAMES_MIN_POPULATION, cities_load


class Command(BaseCommand):
    help = "Load (or refresh) Canadian cities from the offline GeoNames extract; safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--min-population",
            type=int,
            default=DEFAULT_MIN_POPULATION,
            help=f"Skip places with fewer inhabitants (at least {GEONAMES_MIN_POPULATION}; "
            f"default {DEFAULT_MIN_POPULATION}).",
        )

    def handle(self, *args: Any, min_population: int, **options: Any) -> None:
        try:
            count = cities_load(min_population=min_population)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Loaded {count} cities."))
