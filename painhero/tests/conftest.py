"""Fixtures for the tests that start real servers (gunicorn, bin/serve) in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def collected_static() -> None:
    """A server outside pytest uses the manifest static storage, as after `make run`: its pages need
    the collected files, which a fresh clone (CI) does not have."""
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"], cwd=ROOT, check=True
        )
