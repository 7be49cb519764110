"""Settings read from the environment: safe defaults, clear errors for bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from painhero.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def test_env_bool_reads_common_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False


def test_env_bool_names_the_variable_when_it_cannot_parse(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", False)


def test_env_int_checks_its_range(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "70000")
    with pytest.raises(ImproperlyConfigured, match="above the maximum"):
        env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
    monkeypatch.setenv("EMAIL_PORT", "abc")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("EMAIL_PORT", 25)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "painhero.ca, www.painhero.ca,")
    assert env_list("ALLOWED_HOSTS", []) == ["painhero.ca", "www.painhero.ca"]


def _django_check(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PRODUCTION", "SECRET_KEY", "DEBUG", "DATABASE_URL", "SITE_URL")
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_refuses_the_development_secret_key():
    result = _django_check(PRODUCTION="1")
    assert result.returncode != 0
    assert "needs a SECRET_KEY of its own" in result.stderr


def test_production_starts_with_its_own_secret_key():
    result = _django_check(PRODUCTION="1", SECRET_KEY="x" * 50, SITE_URL="https://painhero.ca")
    assert result.returncode == 0, result.stderr


def test_a_database_url_of_an_unsupported_kind_is_refused():
    result = _django_check(DATABASE_URL="mysql://root@127.0.0.1/test")
    assert result.returncode != 0
    assert "DATABASE_URL must be a sqlite:/// or postgres:// URL" in result.stderr


@pytest.mark.sqlite
@pytest.mark.django_db
def test_sqlite_connections_read_the_database_file_through_mmap():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's setting")  # deselected in CI's PostgreSQL run (marker sqlite)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        (size,) = cursor.fetchone()
        cursor.execute("PRAGMA journal_mode")
        (journal,) = cursor.fetchone()
    # 2 GiB asked; SQLite caps it at its build's SQLITE_MAX_MMAP_SIZE (just under 2 GiB in Python's).
    assert size >= 1024 * 1024 * 1024
    assert journal == "wal"


def test_sqlite_mmap_size_is_configurable(tmp_path):
    script = (
        "import django; django.setup(); from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA mmap_size'); print(c.fetchone()[0])"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "SQLITE_MMAP_MB": "0"}
    env["DJANGO_SETTINGS_MODULE"] = "painhero.settings"
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
