"""``manage.py content_load``: load the guides shipped in content/guides/ (``make run`` runs it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from content.guide_files import GUIDES_DIR, GuideData, GuideFileError, guide_files_read
from content.services import guides_load


class Command(BaseCommand):
    help = (
        "Create the guides of content/guides/ that are missing and update those whose files changed. "
        "A guide edited in the admin since its last load is kept as it is (use --overwrite-admin-edits)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=GUIDES_DIR, help="where the guide files are")
        parser.add_argument(
            "--overwrite-admin-edits",
            action="store_true",
            help="replace guides edited in the admin with their files too",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["dir"]
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder of guide files")
        guides, errors = guide_files_read(folder)
        if errors:
            raise CommandError(
                "Nothing was loaded: fix these guide files first.\n" + "\n".join(f"  {e}" for e in errors)
            )
        with tqdm(total=len(guides), desc="guides", unit="guide", disable=options["verbosity"] < 1) as bar:

            def step(data: GuideData) -> None:
                bar.update(1)

            try:
                report = guides_load(
                    guides=guides,
                    now=timezone.now(),
                    overwrite_admin_edits=options["overwrite_admin_edits"],
                    progress=step,
                )
            except GuideFileError as exc:
                raise CommandError(str(exc)) from exc
        for slug in report.kept_admin_edits:
            self.stdout.write(
                self.style.WARNING(
                    f"{slug}: edited in the admin since its last load; its file changed but was not loaded "
                    "(--overwrite-admin-edits replaces the admin's edit)"
                )
            )
        self.stdout.write(self.style.SUCCESS(f"Guides: {report.summary()}."))
