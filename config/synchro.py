"""Incremental sync (`?updated_since=`): each row's change key, a safe horizon, an opaque cursor.

A sync pages by keyset on (key, id), the key being the row's last change: its own
timestamp, or the latest of its own and its nested rows' (a project and its
allocations). Inserts and updates during the sync cannot shift a page as they shift
numbered pages: an updated row moves past the cursor and comes again, in its new
version; no row is skipped.

A timestamp is taken before its transaction commits, so a row may become visible
after rows stamped later. A cursor that went past such rows would never come back
for it. Pages therefore stop at a horizon: now, or the start of the oldest
transaction still writing to the database if it is older, minus
`API_SYNCHRO_MARGE_MS` (the clocks of the application and the database, and
the instant between a stamp and its transaction's first write). Anything stamped
before the horizon is committed for good; what comes after is served by the next
page or the next sync.
"""

import base64
import binascii
import datetime
import json

from django.conf import settings
from django.db import connection
from django.db.models import F, Max, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import exceptions

CLE = "cle_synchro"
PARAMETRE_CURSEUR = "curseur"


def champs(view) -> list[str]:
    """The timestamps a view's rows change with: `updated_since_fields`, else `updated_since_field`."""
    return list(getattr(view, "updated_since_fields", None) or [getattr(view, "updated_since_field", "modifie_le")])


def cle(view):
    """The expression of a row's change key: its own stamp, or the latest of its own and its nested rows'."""
    propre, *imbriques = champs(view)
    if not imbriques:
        return F(propre)
    # A nested row's stamp may be missing (no allocation yet): the row's own stamp stands in,
    # as GREATEST ignores NULL in PostgreSQL but not in SQLite.
    return Greatest(F(propre), *(Coalesce(Max(chemin), F(propre)) for chemin in imbriques))


def annoter(queryset: QuerySet, view) -> QuerySet:
    return queryset.annotate(**{CLE: cle(view)})


def horizon() -> datetime.datetime:
    """The latest change key a page may go up to: see the module's docstring."""
    maintenant = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as curseur:
            curseur.execute(
                "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            )
            (plus_ancienne,) = curseur.fetchone()
        if plus_ancienne is not None:
            maintenant = min(maintenant, plus_ancienne)
    return maintenant - datetime.timedelta(milliseconds=settings.API_SYNCHRO_MARGE_MS)


def encoder(valeur: datetime.datetime, pk) -> str:
    brut = json.dumps([valeur.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(brut).decode().rstrip("=")


def decoder(curseur: str) -> tuple[datetime.datetime, int]:
    """The (key, id) a cursor carries; a 400 for anything the portal did not write."""
    try:
        brut = base64.urlsafe_b64decode(curseur + "=" * (-len(curseur) % 4))
        valeur, pk = json.loads(brut)
        moment = parse_datetime(valeur)
        if moment is None or timezone.is_naive(moment) or type(pk) is not int or not 0 <= pk < 2**63:
            raise ValueError(curseur)  # ids are BIGINT: beyond, the database itself would refuse
        moment = moment.astimezone(datetime.UTC)  # year 1 at -05:00 is out of range
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError) as exc:
        raise exceptions.ValidationError(
            {PARAMETRE_CURSEUR: "Curseur invalide : reprenez le lien « next » de la page précédente."}
        ) from exc
    return moment, pk


def apres(queryset: QuerySet, moment: datetime.datetime, pk: int) -> QuerySet:
    """The rows after (key, id) in the sync's order; `key >= moment` first, a range an index on the key can start."""
    return queryset.filter(**{f"{CLE}__gte": moment}).filter(Q(**{f"{CLE}__gt": moment}) | Q(pk__gt=pk))
