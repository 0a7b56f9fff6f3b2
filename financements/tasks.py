"""Celery tasks of the ledger: thin wrappers that take a date and call a service.

The reminder of overdue tranches is safe to run twice (each tranche is claimed
once, financements.relances), so it is acknowledged late and requeued if its
worker dies, with the same retry policy and global time limits as the
indicators' tasks (indicateurs.tasks, config/settings/base.py "Worker loss").
"""

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from financements import relances

# As indicateurs.tasks.RETRY_BACKOFF_MAX: a retry's countdown counts against the broker's visibility timeout.
RETRY_BACKOFF_MAX = 2 * 60


@shared_task(
    name="financements.signaler_tranches_en_retard",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # The database went away or two runs deadlocked (OperationalError), SMTP failed (OSError): worth another try.
    autoretry_for=(OperationalError, InterfaceError, OSError),
    retry_backoff=30,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=5,
)
def signaler_tranches_en_retard_task(self, date: str | None = None) -> int:
    """Mail each officer the tranches newly overdue on `date` (ISO, today in Paris by default)."""
    jour = datetime.date.fromisoformat(date) if date else timezone.localdate()
    return relances.tranches_en_retard_notify(jour=jour)
