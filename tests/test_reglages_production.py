"""Production settings: refuse to start without a secret or with DEBUG; pass check --deploy."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

DOCUMENTED_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "z7Kq2-documented-example-Wm9xR4tLp0sVb8NcYe3JhGuAi6DfO1kQnTr5ZwXy",
    "ALLOWED_HOSTS": "territoires-innovation.example.fr",
    "DATABASE_URL": "sqlite:///:memory:",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    reglees = ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "CACHE_URL")  # each test sets these itself
    clean = {k: v for k, v in os.environ.items() if k not in reglees}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_check_deploy_passes_with_the_documented_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **DOCUMENTED_ENV)
    assert result.returncode == 0, result.stderr
    assert "0 silenced" in result.stdout


def test_check_deploy_warns_when_the_cache_is_not_shared_by_the_workers():
    env = {k: v for k, v in DOCUMENTED_ENV.items() if k != "CACHE_URL"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "comptes.W001" in result.stderr and "CACHE_URL" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in DOCUMENTED_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY doit être défini" in result.stderr


@pytest.mark.parametrize("debug", ["true", "1"])
def test_production_refuses_to_start_with_debug_on(debug):
    result = _manage("check", **DOCUMENTED_ENV, DEBUG=debug)
    assert result.returncode != 0
    assert "DEBUG doit être désactivé" in result.stderr


def test_a_misspelt_boolean_is_an_error_not_false():
    result = _manage("check", **DOCUMENTED_ENV, DEBUG="ture")
    assert result.returncode != 0
    assert "n'est pas un booléen" in result.stderr
