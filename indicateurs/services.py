"""Writes of the indicators app. The API, the HTML views, the admin, the tasks and the commands call these."""

import datetime
import itertools
import logging
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from comptes.models import Profil
from comptes.roles import role_of
from comptes.selectors import projets_ids_of
from indicateurs import regles, selectors
from indicateurs.models import (
    ChangementStatut,
    Evaluation,
    Indicateur,
    Mesure,
    Statut,
    SyntheseEnvoyee,
    domaine,
    valeur_en_texte,
)

logger = logging.getLogger(__name__)

# Indicators evaluated per transaction: a run interrupted by a crash keeps the
# ranges already written, and the rerun rewrites them with the same values. On
# PostgreSQL a range is one statement: 5 000 (20 for 100 000 indicators) keeps the
# per-statement cost out of sight and still shows progress (bench/).
TAILLE_LOT = 5000


# --- Measurements ---------------------------------------------------------------


def _valeur_valide(valeur) -> Decimal:
    if not isinstance(valeur, Decimal):
        try:
            valeur = Decimal(str(valeur))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError({"valeur": "Valeur numérique attendue."}) from exc
    if not valeur.is_finite():
        raise ValidationError({"valeur": "Valeur numérique attendue."})
    return valeur


def _valeur_dans_le_domaine(valeur: Decimal, indicateur: Indicateur) -> Decimal:
    if not indicateur.domaine.contient(valeur):
        raise ValidationError({"valeur": indicateur.domaine.refus(valeur)})
    return valeur


def _date_libre(*, indicateur: Indicateur, date: datetime.date) -> None:
    """Refuse a second value for a date, naming the one already there."""
    existante = indicateur.mesures.exclude(statut=Mesure.Statut.REJETEE).filter(date=date).first()
    if existante is None:
        return
    # Correcting goes through the officer: a rejected value frees its date.
    suite = (
        "un·e chargé·e de programme peut la rejeter, la date sera alors libre pour la valeur corrigée"
        if existante.statut == Mesure.Statut.SOUMISE
        else "elle compte déjà dans les évaluations ; pour la corriger, adressez-vous à un·e chargé·e de programme"
    )
    raise ValidationError(
        {
            "date": f"Une mesure existe déjà pour cet indicateur au {date:%d/%m/%Y} : "
            f"{valeur_en_texte(existante.valeur)} {indicateur.unite}, {existante.get_statut_display().lower()} ; "
            f"{suite}."
        }
    )


def _peut_soumettre(user: AbstractBaseUser, indicateur: Indicateur) -> bool:
    role = role_of(user)
    if role == Profil.Role.CHARGE:
        return True
    if role != Profil.Role.PARTENAIRE:
        return False
    return indicateur.impact.projet_id in projets_ids_of(user)


def mesure_submit(
    *,
    indicateur: Indicateur,
    date: datetime.date,
    valeur: Decimal,
    source: str,
    auteur: AbstractBaseUser,
    demo: bool = False,
) -> Mesure:
    """Submit a value of an indicator; a partner only for the projects their organisation belongs to."""
    if not _peut_soumettre(auteur, indicateur):
        raise PermissionDenied(
            f"Votre organisation ne participe pas au projet « {indicateur.impact.projet} » : "
            "vous ne pouvez pas déclarer de mesure pour ses indicateurs."
        )
    if date > timezone.localdate():
        raise ValidationError({"date": "Une mesure ne peut pas être datée dans le futur."})
    valeur = _valeur_dans_le_domaine(_valeur_valide(valeur), indicateur)
    _date_libre(indicateur=indicateur, date=date)
    mesure = Mesure(
        indicateur=indicateur,
        date=date,
        valeur=valeur,
        source=source.strip(),
        auteur=auteur,
        demo=demo,
    )
    mesure._history_user = auteur
    # The date's uniqueness was checked above, naming the value there; a twin committed
    # meanwhile is caught on insert, with the same message, rather than here with Django's.
    mesure.full_clean(validate_constraints=False)
    mesure.validate_constraints(exclude={"date"})
    try:
        with transaction.atomic():
            mesure.save()
    except IntegrityError:
        # Race: two submissions for the same date; the partial unique index let the
        # first one in, this one gets the same refusal as if it had come second.
        _date_libre(indicateur=indicateur, date=date)
        raise
    return mesure


def _decide(*, mesure: Mesure, par: AbstractBaseUser | None, statut: str, commentaire: str) -> Mesure:
    # `par=None` is a decision by the system (demo data, tests), never reachable from a request.
    if par is not None and role_of(par) != Profil.Role.CHARGE:
        raise PermissionDenied("Seul·e un·e chargé·e de programme valide ou rejette une mesure.")
    with transaction.atomic():
        # Race: two officers deciding the same measurement at once; the second
        # waits for the first and then sees that it is no longer submitted.
        mesure = Mesure.objects.select_for_update().get(pk=mesure.pk)
        if mesure.statut != Mesure.Statut.SOUMISE:
            raise ValidationError(
                {"statut": f"Cette mesure est déjà {mesure.get_statut_display().lower()} : la décision est définitive."}
            )
        mesure.statut = statut
        mesure.commentaire = commentaire.strip()
        mesure.decision_par = par
        mesure.decision_le = timezone.now()
        mesure._history_user = par
        mesure.full_clean()
        mesure.save()
    return mesure


def mesure_validate(*, mesure: Mesure, par: AbstractBaseUser | None, commentaire: str = "") -> Mesure:
    """Validate a submitted measurement: from now on it counts in evaluations."""
    return _decide(mesure=mesure, par=par, statut=Mesure.Statut.VALIDEE, commentaire=commentaire)


def mesure_reject(*, mesure: Mesure, par: AbstractBaseUser | None, commentaire: str) -> Mesure:
    """Reject a submitted measurement, saying why (the partner reads the comment)."""
    if not commentaire.strip():
        raise ValidationError({"commentaire": "Un rejet est toujours motivé."})
    return _decide(mesure=mesure, par=par, statut=Mesure.Statut.REJETEE, commentaire=commentaire)


# --- Evaluation -----------------------------------------------------------------


@dataclass
class RapportEvaluation:
    date: datetime.date
    nb_indicateurs: int = 0
    nb_changements: int = 0
    par_statut: Counter = field(default_factory=Counter)


def _releve(valeur, date) -> regles.Releve | None:
    return None if valeur is None else regles.Releve(valeur=valeur, date=date)


# Evaluation columns written by a run, the conflict key first.
COLONNES_ECRITES = (
    "indicateur_id", "date", "statut", "valeur_origine", "date_origine", "reference_constatee", "valeur_attendue",
    "mesure_id", "valeur_mesuree", "date_mesure", "avancement", "avancement_attendu",
)  # fmt: skip


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
        evaluations.append(Evaluation(**dict(zip(COLONNES_ECRITES, valeurs, strict=True))))
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
        update_fields=[c.removesuffix("_id") for c in COLONNES_ECRITES[2:]],
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


# The rules of indicateurs.regles, as one statement per range of indicators: read the
# inputs (selectors.EVALUATION_ENTREES_POSTGRESQL), evaluate, upsert the evaluations,
# upsert the status changes and delete those that no longer hold, and return the count
# of each status and of changes. Nothing goes through Python but the counts. The CASE
# follows regles.evaluer step by step; tests/indicateurs/test_evaluation_en_base.py
# checks, indicator by indicator, that both write the same rows.
_EVALUATION_EN_BASE = """
WITH entrees AS ({entrees}),
origines AS (
    SELECT e.*, o.valeur_origine, o.date_origine, coalesce(o.constatee, false) AS constatee
    FROM entrees e
    LEFT JOIN LATERAL (
        SELECT x.* FROM (
            SELECT e.valeur_reference AS valeur_origine,
                   coalesce(e.date_reference, %(debut_programme)s) AS date_origine, false AS constatee
            WHERE e.valeur_reference IS NOT NULL
            UNION ALL
            SELECT e.premiere_valeur, e.premiere_date, true
            WHERE e.valeur_reference IS NULL AND e.premiere_date < e.derniere_date
        ) x
        WHERE x.date_origine < e.echeance
    ) o ON true
),
trajectoires AS (
    SELECT o.*,
           o.valeur_cible - o.valeur_origine AS distance,
           CASE WHEN o.valeur_cible - o.valeur_origine <> 0 THEN abs(o.valeur_cible - o.valeur_origine)
                ELSE abs(o.valeur_cible) END AS amplitude,
           -- Share of the time elapsed, 0 to 1, to the evaluation date and to the latest value's date.
           least(greatest((%(date)s - o.date_origine)::numeric(40, 28) / (o.echeance - o.date_origine), 0), 1)
               AS fraction_jour,
           least(greatest((o.derniere_date - o.date_origine)::numeric(40, 28) / (o.echeance - o.date_origine), 0), 1)
               AS attendu,
           (o.derniere_valeur - o.valeur_origine)::numeric(60, 28) / nullif(o.valeur_cible - o.valeur_origine, 0)
               AS avancement
    FROM origines o
),
atteintes AS (
    SELECT t.*,
           CASE t.sens WHEN %(hausse)s THEN t.derniere_valeur >= t.valeur_cible
                       WHEN %(baisse)s THEN t.derniere_valeur <= t.valeur_cible
                       ELSE abs(t.derniere_valeur - t.valeur_cible) <= %(tolerance_niveau)s * t.amplitude
           END AS derniere_atteint,
           CASE t.sens WHEN %(hausse)s THEN t.valeur_origine >= t.valeur_cible
                       WHEN %(baisse)s THEN t.valeur_origine <= t.valeur_cible
                       ELSE abs(t.valeur_origine - t.valeur_cible) <= %(tolerance_niveau)s * t.amplitude
           END AS origine_atteint
    FROM trajectoires t
),
resultats AS (
    SELECT a.*,
           CASE
               WHEN a.derniere_valeur IS NULL THEN %(non_renseigne)s
               WHEN a.derniere_atteint THEN %(atteint)s
               WHEN %(date)s > a.echeance THEN %(en_retard)s
               WHEN a.valeur_origine IS NULL THEN %(non_renseigne)s
               WHEN a.distance = 0 OR a.origine_atteint THEN %(en_retard)s
               WHEN a.attendu - a.avancement <= %(tolerance_bonne_voie)s THEN
                   CASE WHEN %(date)s - a.derniere_date > %(fraicheur_jours)s THEN %(a_surveiller)s
                        ELSE %(en_bonne_voie)s END
               WHEN a.attendu - a.avancement <= %(tolerance_a_surveiller)s THEN %(a_surveiller)s
               ELSE %(en_retard)s
           END AS statut
    FROM atteintes a
),
evaluations AS (
    INSERT INTO indicateurs_evaluation ({colonnes})
    SELECT r.id, %(date)s, r.statut, r.valeur_origine, r.date_origine, r.constatee,
           round(r.valeur_origine + (r.valeur_cible - r.valeur_origine) * r.fraction_jour, 4),
           r.derniere_pk, r.derniere_valeur, r.derniere_date,
           -- greatest() and least() skip NULLs: the CASEs keep "no progress" NULL.
           CASE WHEN r.avancement IS NOT NULL
                THEN least(greatest(round(r.avancement * 100, 2), -%(borne)s), %(borne)s) END,
           CASE WHEN r.derniere_valeur IS NOT NULL AND r.distance <> 0
                THEN least(greatest(round(r.attendu * 100, 2), -%(borne)s), %(borne)s) END
    FROM resultats r
    ORDER BY r.id
    ON CONFLICT (indicateur_id, date) DO UPDATE SET {mise_a_jour}
),
changements AS (
    -- No earlier evaluation reads as "non renseigné": a first "en retard" is news, a first "no data" is not.
    INSERT INTO indicateurs_changementstatut (indicateur_id, date, ancien_statut, nouveau_statut)
    SELECT r.id, %(date)s, coalesce(r.statut_precedent, ''), r.statut
    FROM resultats r
    WHERE r.statut <> coalesce(r.statut_precedent, %(non_renseigne)s)
    ORDER BY r.id
    ON CONFLICT (indicateur_id, date)
    DO UPDATE SET ancien_statut = EXCLUDED.ancien_statut, nouveau_statut = EXCLUDED.nouveau_statut
),
perimes AS (
    -- A rerun after a late validation may find no change where the first run found one.
    DELETE FROM indicateurs_changementstatut c
    USING resultats r
    WHERE c.indicateur_id = r.id AND c.date = %(date)s AND r.statut = coalesce(r.statut_precedent, %(non_renseigne)s)
)
SELECT statut, count(*), count(*) FILTER (WHERE statut <> coalesce(statut_precedent, %(non_renseigne)s))
FROM resultats
GROUP BY statut
"""


def _evaluation_en_base_sql() -> str:
    colonnes = ", ".join(COLONNES_ECRITES)
    mise_a_jour = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLONNES_ECRITES[2:])
    return _EVALUATION_EN_BASE.format(
        entrees=selectors.EVALUATION_ENTREES_POSTGRESQL, colonnes=colonnes, mise_a_jour=mise_a_jour
    )


def _parametres_en_base(date: datetime.date) -> dict:
    return {
        "date": date,
        "validee": Mesure.Statut.VALIDEE,
        "debut_programme": regles.DEBUT_PROGRAMME,
        "tolerance_niveau": regles.TOLERANCE_NIVEAU,
        "tolerance_bonne_voie": regles.TOLERANCE_BONNE_VOIE,
        "tolerance_a_surveiller": regles.TOLERANCE_A_SURVEILLER,
        "fraicheur_jours": regles.FRAICHEUR_MAX.days,
        "borne": regles.AVANCEMENT_BORNE,
        "hausse": Indicateur.Sens.HAUSSE,
        "baisse": Indicateur.Sens.BAISSE,
        **{statut: statut for statut in Statut.values},
    }


def _evaluer_tranche(sql: str, parametres: dict, tranche: tuple[int, int, int]) -> list[tuple[str, int, int]]:
    """One range of indicators, one statement, one transaction: [(status, count, changes)]."""
    premier, dernier, _ = tranche
    with transaction.atomic(), connection.cursor() as curseur:
        # Two runs on one date (beat and a manual command) take a range in turn: the
        # statement's writes to the changes would otherwise lock rows in no set order.
        curseur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [parametres["date"].toordinal(), premier])
        curseur.execute(sql, {**parametres, "premier": premier, "dernier": dernier})
        return curseur.fetchall()


def _evaluer_tranche_a_part(sql: str, parametres: dict, tranche: tuple[int, int, int]) -> list[tuple[str, int, int]]:
    # In a thread of its own: Django gives the thread its own connection, closed here.
    try:
        return _evaluer_tranche(sql, parametres, tranche)
    finally:
        connection.close()


def _evaluation_en_base(
    date: datetime.date, taille_lot: int, apres_lot: Callable[[int], None] | None, rapport: RapportEvaluation
) -> None:
    sql, parametres = _evaluation_en_base_sql(), _parametres_en_base(date)
    tranches = selectors.indicateur_tranches(taille=taille_lot)
    # Ranges run side by side on as many connections, each its own transaction. Not inside
    # a caller's transaction (a test's): other connections would not see its rows.
    paralleles = 1 if connection.in_atomic_block else max(1, getattr(settings, "INDICATEURS_CONNEXIONS", 1))
    with ThreadPoolExecutor(max_workers=paralleles - 1) if paralleles > 1 else nullcontext() as fils:
        for debut in range(0, len(tranches), paralleles):
            vague = tranches[debut : debut + paralleles]
            a_part = [fils.submit(_evaluer_tranche_a_part, sql, parametres, t) for t in vague[1:]]
            comptes = [_evaluer_tranche(sql, parametres, vague[0]), *(f.result() for f in a_part)]
            for tranche, lignes in zip(vague, comptes, strict=True):
                for statut, nombre, changements in lignes:
                    rapport.par_statut[statut] += nombre
                    rapport.nb_changements += changements
                rapport.nb_indicateurs += tranche[2]
                if apres_lot is not None:
                    apres_lot(tranche[2])


def _evaluation_en_python(
    date: datetime.date, taille_lot: int, apres_lot: Callable[[int], None] | None, rapport: RapportEvaluation
) -> None:
    lignes = selectors.indicateur_evaluation_rows(date=date).order_by("pk").iterator(chunk_size=taille_lot)
    while lot := list(itertools.islice(lignes, taille_lot)):
        with transaction.atomic():
            _evaluer_lot(date, lot, rapport)
        if apres_lot is not None:
            apres_lot(len(lot))


def evaluation_run(
    *,
    date: datetime.date,
    taille_lot: int | None = None,
    apres_lot: Callable[[int], None] | None = None,
) -> RapportEvaluation:
    """Evaluate every indicator on `date` and record the status changes.

    Indicators go by ranges of `taille_lot`, each range in one transaction: a run
    cut short keeps the ranges written, and a second run on the same date writes
    the same values, so it changes nothing. On PostgreSQL a range is one
    statement evaluated inside the database (_EVALUATION_EN_BASE), and
    INDICATEURS_CONNEXIONS ranges run side by side; elsewhere (SQLite, the
    embedded default) regles.evaluer runs on the rows of one query, then one
    upsert per range. Either way the number of queries depends on the number of
    ranges, not of indicators. Re-evaluating a past date does not revisit the
    changes recorded at later dates. `apres_lot` is called after each committed
    range with its size (progress bar, tests).
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


# --- Digests --------------------------------------------------------------------


def synthese_send(*, date: datetime.date) -> int:
    """Mail each regional director the status changes of `date` in their regions; returns the number sent.

    Each digest is claimed by a unique (director, date) row in the same
    transaction as the sending: a rerun, or a concurrent run, skips what was
    sent; a failed sending rolls its claim back so that a retry sends it.
    """
    changements = selectors.changements_du_jour(date=date)
    if not changements:
        return 0
    envoyees = 0
    for directeur in selectors.directeurs_regionaux():
        regions = {region.pk for region in directeur.profil.regions.all()}
        siens = [c for c in changements if c.indicateur.impact.projet.region_id in regions]
        if not siens:
            continue
        if not directeur.email:
            logger.warning("Synthèse du %s non envoyée à %s : aucune adresse électronique.", date, directeur)
            continue
        contexte = {"directeur": directeur, "date": date, "changements": siens}
        try:
            with transaction.atomic():
                SyntheseEnvoyee.objects.create(destinataire=directeur, date=date, nb_changements=len(siens))
                send_mail(
                    subject=render_to_string("indicateurs/email/synthese_sujet.txt", contexte).strip(),
                    message=render_to_string("indicateurs/email/synthese.txt", contexte),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[directeur.email],
                )
        except IntegrityError:
            continue  # already sent for this date
        envoyees += 1
    return envoyees


def _mesures_dans_le_domaine(indicateur: Indicateur) -> None:
    """A new unit must still hold the values kept (not rejected) for the indicator."""
    nouveau = domaine(unite=indicateur.unite, mode=indicateur.mode)
    hors = (
        indicateur.mesures.exclude(statut=Mesure.Statut.REJETEE).filter(nouveau.hors("valeur")).order_by("date").first()
    )
    if hors is not None:
        raise ValidationError(
            {
                "unite": f"{nouveau.regle} : la mesure du {hors.date:%d/%m/%Y} ({valeur_en_texte(hors.valeur)}, "
                f"{hors.get_statut_display().lower()}) n'y entrerait plus."
            }
        )


INDICATEUR_CHAMPS_MODIFIABLES = (
    "libelle", "unite", "sens", "valeur_reference", "date_reference", "valeur_cible", "echeance", "note",
)  # fmt: skip


@transaction.atomic
def indicateur_update(*, indicateur: Indicateur, data: dict, by: AbstractBaseUser | None) -> Indicateur:
    """Correct an indicator's structured target; the next evaluation uses it, past ones stay as they were."""
    inconnus = set(data) - set(INDICATEUR_CHAMPS_MODIFIABLES)
    if inconnus:
        raise ValidationError(f"Champs non modifiables : {', '.join(sorted(inconnus))}.")
    # Two officers saving the same target at once write one after the other.
    indicateur = Indicateur.objects.select_for_update().get(pk=indicateur.pk)
    changes = [name for name, value in data.items() if getattr(indicateur, name) != value]
    if not changes:
        return indicateur
    for name in changes:
        setattr(indicateur, name, data[name])
    if "unite" in changes:
        _mesures_dans_le_domaine(indicateur)
    indicateur.full_clean()
    indicateur._history_user = by
    indicateur._change_reason = "Cible modifiée dans le portail"
    indicateur.save()
    return indicateur
