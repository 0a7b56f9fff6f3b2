"""The evaluation run: read each indicator's inputs, evaluate them with the rules, upsert the results.

On PostgreSQL a range of indicators is one statement evaluated inside the
database (sql.EVALUATION); elsewhere (SQLite, the embedded default) the rules
of regles.evaluer run on the rows of one query (entrees_list), then one upsert
per range. services.evaluation_run is the way in.
"""

import datetime
import itertools
import logging
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery

from indicateurs.evaluation import regles, sql
from indicateurs.models import ChangementStatut, Evaluation, Indicateur, Mesure, Statut

logger = logging.getLogger(__name__)

# Indicators evaluated per transaction: a run interrupted by a crash keeps the
# ranges already written, and the rerun rewrites them with the same values. On
# PostgreSQL a range is one statement: 5 000 (20 for 100 000 indicators) keeps the
# per-statement cost out of sight and still shows progress (bench/).
TAILLE_LOT = 5000


@dataclass
class RapportEvaluation:
    date: datetime.date
    nb_indicateurs: int = 0
    nb_changements: int = 0
    par_statut: Counter = field(default_factory=Counter)


# --- Inputs ---------------------------------------------------------------------


def entrees_list(*, date: datetime.date) -> QuerySet:
    """Each indicator with what its evaluation on `date` needs, as one query.

    The first and latest validated measurements up to the date, and the status
    of the latest evaluation before the date (to detect a change), are
    correlated subqueries: one SELECT whatever the number of indicators. What
    the Python rules evaluate where the database does not (SQLite, the embedded
    default); PostgreSQL reads sql.ENTREES instead.
    """
    validees = Mesure.objects.validated().filter(indicateur=OuterRef("pk"), date__lte=date)
    # Two validated values for one date: the one decided last wins (a correction).
    derniere = validees.order_by("-date", "-decision_le", "-pk")
    premiere = validees.order_by("date", "decision_le", "pk")
    precedente = Evaluation.objects.filter(indicateur=OuterRef("pk"), date__lt=date).order_by("-date")
    return Indicateur.objects.annotate(
        derniere_pk=Subquery(derniere.values("pk")[:1]),
        derniere_valeur=Subquery(derniere.values("valeur")[:1]),
        derniere_date=Subquery(derniere.values("date")[:1]),
        premiere_valeur=Subquery(premiere.values("valeur")[:1]),
        premiere_date=Subquery(premiere.values("date")[:1]),
        statut_precedent=Subquery(precedente.values("statut")[:1]),
    ).values(
        "pk",
        "sens",
        "valeur_reference",
        "date_reference",
        "valeur_cible",
        "echeance",
        "derniere_pk",
        "derniere_valeur",
        "derniere_date",
        "premiere_valeur",
        "premiere_date",
        "statut_precedent",
    )


def tranches_list(*, taille: int) -> list[tuple[int, int, int]]:
    """The indicators cut into pk ranges of `taille`, in pk order: (first pk, last pk, count), one query."""
    pks = list(Indicateur.objects.order_by("pk").values_list("pk", flat=True))
    return [(lot[0], lot[-1], len(lot)) for lot in (pks[d : d + taille] for d in range(0, len(pks), taille))]


# --- In Python (SQLite) -----------------------------------------------------------


def _releve(valeur, date) -> regles.Releve | None:
    return None if valeur is None else regles.Releve(valeur=valeur, date=date)


def _evaluer_lot(date: datetime.date, lignes: list[dict], rapport: RapportEvaluation) -> None:
    evaluations, changements, inchanges = [], [], []
    for ligne in lignes:
        resultat = regles.evaluer(
            sens=ligne["sens"],
            valeur_reference=ligne["valeur_reference"],
            date_reference=ligne["date_reference"],
            valeur_cible=ligne["valeur_cible"],
            echeance=ligne["echeance"],
            jour=date,
            derniere=_releve(ligne["derniere_valeur"], ligne["derniere_date"]),
            premiere=_releve(ligne["premiere_valeur"], ligne["premiere_date"]),
        )
        valeurs = (
            ligne["pk"], date, resultat.statut, resultat.valeur_origine, resultat.date_origine,
            resultat.reference_constatee, resultat.valeur_attendue, ligne["derniere_pk"], ligne["derniere_valeur"],
            ligne["derniere_date"], resultat.avancement, resultat.avancement_attendu,
        )  # fmt: skip
        evaluations.append(Evaluation(**dict(zip(sql.COLONNES_ECRITES, valeurs, strict=True))))
        # No earlier evaluation reads as "non renseigné": a first evaluation
        # without data is not news, a first "en retard" is.
        ancien = ligne["statut_precedent"] or Statut.NON_RENSEIGNE
        if resultat.statut != ancien:
            changements.append(
                ChangementStatut(
                    indicateur_id=ligne["pk"],
                    date=date,
                    ancien_statut=ligne["statut_precedent"] or "",
                    nouveau_statut=resultat.statut,
                )
            )
        else:
            inchanges.append(ligne["pk"])
        rapport.par_statut[resultat.statut] += 1

    # Race: two runs on one date (beat and a manual command) write the same rows
    # in the same pk order; the second waits on the first's row locks, then
    # rewrites identical values. Same order, so no deadlock.
    Evaluation.objects.bulk_create(
        evaluations,
        update_conflicts=True,
        unique_fields=["indicateur", "date"],
        update_fields=[c.removesuffix("_id") for c in sql.COLONNES_ECRITES[2:]],
    )
    if changements:
        ChangementStatut.objects.bulk_create(
            changements,
            update_conflicts=True,
            unique_fields=["indicateur", "date"],
            update_fields=["ancien_statut", "nouveau_statut"],
        )
    if inchanges:
        # A rerun after a late validation may find no change where the first run found one.
        # A chunk holds every indicator of its pk range (the stream reads them all, in order):
        # "the range but the changed ones" names the unchanged without binding thousands of ids.
        ChangementStatut.objects.filter(
            date=date, indicateur_id__gte=lignes[0]["pk"], indicateur_id__lte=lignes[-1]["pk"]
        ).exclude(indicateur_id__in=[c.indicateur_id for c in changements]).delete()
    rapport.nb_indicateurs += len(lignes)
    rapport.nb_changements += len(changements)


def _evaluation_en_python(
    date: datetime.date, taille_lot: int, apres_lot: Callable[[int], None] | None, rapport: RapportEvaluation
) -> None:
    lignes = entrees_list(date=date).order_by("pk").iterator(chunk_size=taille_lot)
    while lot := list(itertools.islice(lignes, taille_lot)):
        with transaction.atomic():
            _evaluer_lot(date, lot, rapport)
        if apres_lot is not None:
            apres_lot(len(lot))


# --- In the database (PostgreSQL) -------------------------------------------------


def _evaluer_tranche(date: datetime.date, tranche: tuple[int, int, int]) -> list[tuple[str, int, int]]:
    """One range of indicators, one statement, one transaction: [(status, count, changes)]."""
    premier, dernier, _ = tranche
    with transaction.atomic(), connection.cursor() as curseur:
        # Two runs on one date (beat and a manual command) take a range in turn: the
        # statement's writes to the changes would otherwise lock rows in no set order.
        curseur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [date.toordinal(), premier])
        curseur.execute(sql.EVALUATION, sql.evaluation_parametres(date=date, premier=premier, dernier=dernier))
        return curseur.fetchall()


def _evaluer_tranche_a_part(date: datetime.date, tranche: tuple[int, int, int]) -> list[tuple[str, int, int]]:
    # In a thread of its own: Django gives the thread its own connection, closed here.
    try:
        return _evaluer_tranche(date, tranche)
    finally:
        connection.close()


def _evaluation_en_base(
    date: datetime.date, taille_lot: int, apres_lot: Callable[[int], None] | None, rapport: RapportEvaluation
) -> None:
    tranches = tranches_list(taille=taille_lot)
    # Ranges run side by side on as many connections, each its own transaction. Not inside
    # a caller's transaction (a test's): other connections would not see its rows.
    paralleles = 1 if connection.in_atomic_block else max(1, getattr(settings, "INDICATEURS_CONNEXIONS", 1))
    with ThreadPoolExecutor(max_workers=paralleles - 1) if paralleles > 1 else nullcontext() as fils:
        for debut in range(0, len(tranches), paralleles):
            vague = tranches[debut : debut + paralleles]
            a_part = [fils.submit(_evaluer_tranche_a_part, date, t) for t in vague[1:]]
            comptes = [_evaluer_tranche(date, vague[0]), *(f.result() for f in a_part)]
            for tranche, lignes in zip(vague, comptes, strict=True):
                for statut, nombre, changements in lignes:
                    rapport.par_statut[statut] += nombre
                    rapport.nb_changements += changements
                rapport.nb_indicateurs += tranche[2]
                if apres_lot is not None:
                    apres_lot(tranche[2])


# --- The run ----------------------------------------------------------------------


def indicateurs_evaluate(
    *,
    date: datetime.date,
    taille_lot: int | None = None,
    apres_lot: Callable[[int], None] | None = None,
) -> RapportEvaluation:
    """Evaluate every indicator on `date` by ranges of `taille_lot`, each range in one transaction.

    On PostgreSQL, INDICATEURS_CONNEXIONS ranges run side by side. Either way the
    number of queries depends on the number of ranges, not of indicators.
    """
    taille_lot = taille_lot or getattr(settings, "INDICATEURS_TAILLE_LOT", TAILLE_LOT)
    rapport = RapportEvaluation(date=date)
    if connection.vendor == "postgresql":
        _evaluation_en_base(date, taille_lot, apres_lot, rapport)
    else:
        _evaluation_en_python(date, taille_lot, apres_lot, rapport)
    logger.info(
        "Évaluation du %s : %s indicateur(s), %s changement(s) de statut.",
        date.isoformat(),
        rapport.nb_indicateurs,
        rapport.nb_changements,
    )
    return rapport
