"""Settings of the benchmark: the production settings, pointed at a bench database.

Only what a benchmark on one machine needs differs from production:
- no HTTPS redirect (the test client and wrk speak plain HTTP on loopback);
- throttle rates high enough never to cap a load run;
- static files without whitenoise's manifest, so that no `collectstatic` is
  needed before measuring (a manifest lookup is a dict lookup: no measurable cost).
Set DATABASE_URL to a bench database (bench/construire.py builds them).
"""

import os
import secrets
import warnings

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "ERROR")
for _role in ("ANONYME", "PARTENAIRE", "DIRECTEUR", "CHARGE"):
    os.environ.setdefault(f"THROTTLE_{_role}", "10000000/min")

from config.settings.production import *  # noqa: E402, F403

# No collectstatic: whitenoise would warn on every start that STATIC_ROOT does not exist.
warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The fixed-cost measure sends refused requests on purpose: no "Unauthorized" line for each.
LOGGING = {**LOGGING, "loggers": {"django.request": {"level": "ERROR"}}}  # noqa: F405
