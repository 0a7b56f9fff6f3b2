"""Settings of the Celery workers that test_worker.py starts: the test settings plus the crash-test hooks.

Only these test workers read them: a small chunk size and a pause between
chunks, so that a SIGKILL lands in the middle of a run; and a short Redis
visibility timeout with frequent sweeps, so that the unacknowledged task of a
killed worker is handed to the next one within seconds instead of an hour.
"""

import os

from config.settings.test import *  # noqa: F403

INDICATEURS_TAILLE_LOT = int(os.environ.get("INDICATEURS_TAILLE_LOT", "500"))
INDICATEURS_PAUSE_ENTRE_LOTS = float(os.environ.get("INDICATEURS_PAUSE_ENTRE_LOTS", "0"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
