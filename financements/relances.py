"""The daily reminder of overdue tranches: each officer is told of each tranche once, when it falls overdue.

A tranche is claimed by a conditional UPDATE that sets its `retard_signale_le` only
where it is still empty, in the same transaction as the sending. Two runs at once
(two workers, a retry beside the scheduled run) cannot both claim a tranche: the
second UPDATE waits for the first transaction's row locks, then finds the column
set and skips the row. A sending that fails rolls the claims back, so the retry
sends them (at least once: an officer already mailed in that run may be mailed again).

A tranche re-planned to a later date (services.echeancier_update) has its
`retard_signale_le` emptied, so that it is news again when it falls overdue again.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from comptes.models import Profil
from financements.models import Tranche
from financements.selectors import tranches_en_retard
from financements.tableaux import retards

logger = logging.getLogger(__name__)


def charges_destinataires() -> QuerySet:
    """The programme officers the reminder goes to: active accounts with the officer's role and an e-mail address."""
    return (
        get_user_model()
        .objects.filter(is_active=True, profil__role=Profil.Role.CHARGE)
        .exclude(email="")
        .order_by("pk")
    )


def _tranches_claim(jour: datetime.date) -> list[int]:
    """Mark the tranches overdue on `jour` and not yet reported as reported now; the ids this call marked.

    One UPDATE ... WHERE retard_signale_le IS NULL ... RETURNING: a row another
    transaction has just marked is re-checked after its lock is released, and skipped.
    """
    en_retard, params = Tranche.objects.en_retard(jour).order_by().values("pk").query.sql_with_params()
    table = connection.ops.quote_name(Tranche._meta.db_table)
    colonne = connection.ops.quote_name(Tranche._meta.get_field("retard_signale_le").column)
    cle = connection.ops.quote_name(Tranche._meta.pk.column)
    # Only identifiers from the model's metadata are formatted in; values go as parameters.
    sql = (
        f"UPDATE {table} SET {colonne} = %s "  # noqa: S608
        f"WHERE {colonne} IS NULL AND {cle} IN ({en_retard}) RETURNING {cle}"
    )
    with connection.cursor() as curseur:
        curseur.execute(sql, [timezone.now(), *params])
        return sorted(ligne[0] for ligne in curseur.fetchall())


def tranches_en_retard_notify(*, jour: datetime.date | None = None) -> int:
    """Mail each officer the tranches that fell overdue since the last run (today in Paris by default).

    Returns the number of e-mails sent. Without any officer to tell, nothing is
    claimed: the tranches wait for the next run.
    """
    jour = jour or timezone.localdate()
    destinataires = list(charges_destinataires())
    if not destinataires:
        logger.warning("Tranches en retard du %s non signalées : aucun·e chargé·e de programme avec une adresse.", jour)
        return 0
    with transaction.atomic():
        claimed = _tranches_claim(jour)
        if not claimed:
            return 0
        # Re-read through the selector: the same figures (paid, left) as the dashboards.
        tableau = retards(tranches_en_retard(jour=jour).filter(pk__in=claimed), jour=jour)
        if not tableau.lignes:  # paid in full since the claim: nothing overdue to tell
            return 0
        contexte = {"jour": jour, "retards": tableau}
        sujet = render_to_string("financements/emails/tranches_en_retard_sujet.txt", contexte).strip()
        messages = [
            EmailMessage(
                subject=sujet,
                body=render_to_string("financements/emails/tranches_en_retard.txt", {**contexte, "charge": charge}),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[charge.email],
            )
            for charge in destinataires
        ]
        # A failure raises: the claims roll back and the task's retry sends them.
        envoyes = get_connection(fail_silently=False).send_messages(messages) or 0
    logger.info("%s tranche(s) en retard signalée(s) le %s à %s chargé·e(s).", len(claimed), jour, envoyes)
    return envoyes
