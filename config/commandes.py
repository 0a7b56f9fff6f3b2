"""What the daily tasks' management commands share: the day they run for."""

import datetime

from django.core.management.base import CommandError
from django.utils import timezone


def jour_de_la_commande(valeur: str | None) -> datetime.date:
    """The `--date` option (AAAA-MM-JJ), today when it is not given."""
    if not valeur:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(valeur)
    except ValueError as exc:
        raise CommandError(f"Date invalide « {valeur} » : AAAA-MM-JJ attendu.") from exc
