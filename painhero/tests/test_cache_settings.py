"""CACHES from the environment: Redis when REDIS_URL names one, the process's memory otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = "from django.conf import settings; c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"


def _settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_KEY_PREFIX")}
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", f"import django; django.setup(); {SHOW}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "painhero.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_redis_url_each_process_caches_in_memory():
    assert _settings().stdout.split()[0] == "django.core.cache.backends.locmem.LocMemCache"


def test_redis_url_selects_the_redis_cache():
    shown = _settings(REDIS_URL="redis://127.0.0.1:6379/1").stdout.split()
    assert shown == ["django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/1"]


def test_a_redis_url_that_is_not_one_is_a_clear_error():
    result = _settings(REDIS_URL="127.0.0.1:6379")
    assert result.returncode != 0
    assert "REDIS_URL='127.0.0.1:6379' is not a redis://, rediss:// or unix:// URL." in result.stderr
