"""Tests: PostgreSQL where reachable (races and constraints need it), fast hashing."""

import socket

from .base import *  # noqa: F403
from .base import celery_transport_options, database_config, env_str

SECRET_KEY = "test-only-not-secret"  # noqa: S105 - tests only, never deployed
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_AUTOREFRESH = True  # no collectstatic before the tests
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _postgres_reachable(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


# DATABASE_URL wins; otherwise the local PostgreSQL of the development and CI
# machines; SQLite only where no PostgreSQL answers (tests needing it skip).
_url = env_str("DATABASE_URL") or ("postgres://postgres@127.0.0.1:5432/territoires" if _postgres_reachable() else "")
if _url:
    DATABASES = {"default": database_config(_url)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
CELERY_BROKER_TRANSPORT_OPTIONS = celery_transport_options(CELERY_BROKER_URL)  # the production options
CELERY_TASK_ALWAYS_EAGER = False

# Throttling has its own test; elsewhere it must not get in the way.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(("anonyme", "partenaire", "directeur", "charge"), "100000/min"),
}
THROTTLE_CONNEXION = "100000/min"
# A test reads right after it writes, in its own transaction: the sync's horizon need not wait
# for the clocks (tests/api/test_synchronisation.py sets a margin where it tests one).
API_SYNCHRO_MARGE_MS = 0
