"""Settings of the Celery workers the tests start: the test settings, the crash-test hooks, a readable outbox.

Only these test workers read them: a small chunk size and a pause between
chunks, so that a SIGKILL lands in the middle of a run. The broker's options
are the production ones (config.settings.base.celery_transport_options); the
tests shorten only the visibility timeout, through CELERY_VISIBILITY_TIMEOUT
as an operator would, so that the unacknowledged task of a killed worker is
handed to the next one within seconds.
"""

import os

from config.settings.test import *  # noqa: F403

INDICATEURS_TAILLE_LOT = int(os.environ.get("INDICATEURS_TAILLE_LOT", "500"))
INDICATEURS_PAUSE_ENTRE_LOTS = float(os.environ.get("INDICATEURS_PAUSE_ENTRE_LOTS", "0"))

# A worker sending e-mails writes them where the test reads them (the in-memory outbox is the worker's own).
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
