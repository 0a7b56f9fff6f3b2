"""Writes of the indicators app. The API, the HTML views, the admin, the tasks and the commands call these."""

import datetime
import itertools
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import orjson
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from indicateurs import regles, selectors
from indicateurs.models import ChangementStatut, Evaluation, Indicateur, Mesure, Statut, SyntheseEnvoyee
from laureats.comptes import role_of
from laureats.models import Partenariat, Profil

logger = logging.getLogger(__name__)

# Indicators evaluated per transaction: a run interrupted by a crash keeps the
# chunks already written, and the rerun rewrites them with the same values.
# 2 000 rather than 500: a commit costs a few milliseconds, 200 of them a second
# for 100 000 indicators (bench/); a chunk is still a fraction of a second of work.
TAILLE_LOT = 2000


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


def _peut_soumettre(user: AbstractBaseUser, indicateur: Indicateur) -> bool:
    role = role_of(user)
    if role == Profil.Role.CHARGE:
        return True
    if role != Profil.Role.PARTENAIRE:
        return False
    return Partenariat.objects.filter(
        projet_id=indicateur.impact.projet_id, organisation_id=user.profil.organisation_id
    ).exists()


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
    mesure = Mesure(
        indicateur=indicateur,
        date=date,
        valeur=_valeur_valide(valeur),
        source=source.strip(),
        auteur=auteur,
        demo=demo,
    )
    mesure._history_user = auteur
    mesure.full_clean()
    mesure.save()
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


def _evaluations_upsert(lignes: list[tuple]) -> None:
    """INSERT ... ON CONFLICT (indicateur, date) DO UPDATE: what bulk_create(update_conflicts=True) writes.

    Written directly because bulk_create builds a model instance and prepares each
    value through its field, then the driver quotes thousands of parameters: for
    100 000 indicators that cost more than the upsert itself. The values are
    already what the fields would store (regles quantizes them).
    """
    qn = connection.ops.quote_name
    table = qn(Evaluation._meta.db_table)
    colonnes = ", ".join(qn(c) for c in COLONNES_ECRITES)
    maj = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in COLONNES_ECRITES[2:])
    conflit = f"ON CONFLICT ({qn('indicateur_id')}, {qn('date')}) DO UPDATE SET {maj}"
    with connection.cursor() as curseur:
        if connection.vendor == "postgresql":
            # The chunk as one JSON document that PostgreSQL unpacks into rows of the table's type.
            document = orjson.dumps([dict(zip(COLONNES_ECRITES, ligne, strict=True)) for ligne in lignes], default=str)
            source = f"SELECT {colonnes} FROM json_populate_recordset(NULL::{table}, %s::json)"  # noqa: S608
            curseur.execute(f"INSERT INTO {table} ({colonnes}) {source} {conflit}", [document.decode()])
            return
        # SQLite caps the number of parameters of a statement, as bulk_create knows.
        une_ligne = "(" + ", ".join(["%s"] * len(COLONNES_ECRITES)) + ")"
        champs = [Evaluation._meta.get_field(c.removesuffix("_id")) for c in COLONNES_ECRITES]
        par = connection.ops.bulk_batch_size(champs, lignes) or len(lignes)
        for debut in range(0, len(lignes), par):
            lot = lignes[debut : debut + par]
            valeurs = ", ".join([une_ligne] * len(lot))
            sql = f"INSERT INTO {table} ({colonnes}) VALUES {valeurs} {conflit}"  # noqa: S608 - our names
            curseur.execute(sql, [valeur for ligne in lot for valeur in ligne])


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
        evaluations.append(
            (
                ligne["pk"], date, resultat.statut, resultat.valeur_origine, resultat.date_origine,
                resultat.reference_constatee, resultat.valeur_attendue, ligne["derniere_pk"], ligne["derniere_valeur"],
                ligne["derniere_date"], resultat.avancement, resultat.avancement_attendu,
            )
        )  # fmt: skip
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
    _evaluations_upsert(evaluations)
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


def evaluation_run(
    *,
    date: datetime.date,
    taille_lot: int | None = None,
    apres_lot: Callable[[int], None] | None = None,
) -> RapportEvaluation:
    """Evaluate every indicator on `date` and record the status changes.

    The inputs of every indicator come from one SELECT
    (selectors.indicateur_evaluation_stream, read as it goes); then per chunk of
    indicators, in one transaction: one upsert of the evaluations on
    (indicateur, date), one upsert of the status changes and one DELETE of those
    that no longer hold. The number of queries depends on the number of chunks,
    not of indicators, and a second run on the same date writes the same values:
    it changes nothing. Re-evaluating a past date does not revisit the changes
    recorded at later dates. `apres_lot` is called after each committed chunk
    with its size (progress bar, tests).
    """
    taille_lot = taille_lot or getattr(settings, "INDICATEURS_TAILLE_LOT", TAILLE_LOT)
    rapport = RapportEvaluation(date=date)
    lignes = selectors.indicateur_evaluation_stream(date=date)
    while lot := list(itertools.islice(lignes, taille_lot)):
        with transaction.atomic():
            _evaluer_lot(date, lot, rapport)
        if apres_lot is not None:
            apres_lot(len(lot))
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
    indicateur.full_clean()
    indicateur._history_user = by
    indicateur._change_reason = "Cible modifiée dans le portail"
    indicateur.save()
    return indicateur
