"""Celery tasks: thin wrappers that take a date and call the services.

The tasks are safe to run twice (upserts, unique digests), so they are
acknowledged late and requeued if the worker dies: a run killed halfway is
run again whole by the next worker and ends with the same rows. A pool
process lost is rejected back to the queue at once; a whole worker lost is
redelivered by Redis after the broker's visibility timeout (config/settings/base.py,
"Worker loss"), which must outlast the longest time a live worker holds a task:
the global hard time limit, kept by every task, plus RETRY_BACKOFF_MAX.
"""

import datetime
import time

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from indicateurs import relances, services

# A retry is fetched at once and held unacknowledged until due: its countdown counts
# against the broker's visibility timeout, hence the cap (30, 60, then 120 s apart).
RETRY_BACKOFF_MAX = 2 * 60

COMMUN = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "retry_backoff": 30,
    "retry_backoff_max": RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": 5,
}


def _jour(date: str | None) -> datetime.date:
    return datetime.date.fromisoformat(date) if date else timezone.localdate()


def _pause_de_test(_taille: int) -> None:
    # Test hook only (0 by default): lets the crash-recovery test kill a worker between two chunks.
    pause = getattr(settings, "INDICATEURS_PAUSE_ENTRE_LOTS", 0)
    if pause:
        time.sleep(pause)


@shared_task(
    name="indicateurs.evaluer_indicateurs",
    autoretry_for=(OperationalError, InterfaceError),  # the database went away: worth another try
    # The global limits (5 and 6 min): 100 000 indicators take seconds on PostgreSQL (README,
    # "Banc d'essai"). A longer limit would need a longer visibility timeout (see above).
    **COMMUN,
)
def evaluer_indicateurs_task(self, date: str | None = None) -> dict:
    """Evaluate every indicator on `date` (ISO, today by default), then send the directors' digests."""
    jour = _jour(date)
    rapport = services.evaluation_run(date=jour, apres_lot=_pause_de_test)
    # The digest follows on the queue this run came from (tests use their own queues).
    queue = (self.request.delivery_info or {}).get("routing_key")
    envoyer_syntheses_task.apply_async(kwargs={"date": jour.isoformat()}, **({"queue": queue} if queue else {}))
    return {
        "date": jour.isoformat(),
        "indicateurs": rapport.nb_indicateurs,
        "changements": rapport.nb_changements,
        "statuts": dict(rapport.par_statut),
    }


@shared_task(
    name="indicateurs.envoyer_syntheses",
    autoretry_for=(OperationalError, InterfaceError, OSError),  # SMTP failures are OSErrors
    **COMMUN,
)
def envoyer_syntheses_task(self, date: str | None = None) -> int:
    """Mail each regional director the status changes of `date` in their regions."""
    return services.synthese_send(date=_jour(date))


@shared_task(
    name="indicateurs.envoyer_relances",
    autoretry_for=(OperationalError, InterfaceError, OSError),  # SMTP failures are OSErrors
    **COMMUN,
)
def envoyer_relances_task(self, date: str | None = None) -> int:
    """Mail each partner contact the reporting periods owed on `date` at a reminder step not yet sent them."""
    return relances.relances_send(jour=_jour(date))
