"""Writes of the indicators app. The API, the HTML views, the admin, the tasks and the commands call these."""

import datetime
import logging
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from comptes.models import Profil
from comptes.roles import role_of
from comptes.selectors import projets_ids_of
from indicateurs import periodes, selectors
from indicateurs.evaluation import moteur
from indicateurs.models import (
    Indicateur,
    Mesure,
    Periode,
    SyntheseEnvoyee,
    domaine,
    valeur_en_texte,
)

logger = logging.getLogger(__name__)

# --- Reporting periods ----------------------------------------------------------


def _bornes_de(indicateur: Indicateur) -> list[periodes.Bornes]:
    return periodes.bornes(
        frequence=indicateur.frequence,
        debut_suivi=settings.INDICATEURS_DEBUT_SUIVI,
        echeance=indicateur.echeance,
        delai_jours=settings.INDICATEURS_DELAI_DECLARATION_JOURS,
    )


def periodes_sync(*, indicateurs) -> int:
    """Bring the reporting periods of `indicateurs` (a queryset) in line with their frequency and deadline.

    Missing periods are created, those no longer in the calendar are deleted, and every
    measurement is attached again to the period holding its date (none outside the
    calendar). Safe to run again: a second run changes nothing. Returns the periods created.
    Queries: four whatever the number of indicators, five more when a calendar changed.
    """
    attendues = {}
    for indicateur in indicateurs.only("pk", "frequence", "echeance"):
        attendues[indicateur.pk] = {b.cle: b for b in _bornes_de(indicateur)}
    existantes: dict[int, dict] = {pk: {} for pk in attendues}
    for periode in Periode.objects.filter(indicateur_id__in=attendues):
        existantes[periode.indicateur_id][(periode.debut, periode.fin)] = periode
    a_creer, a_supprimer, changes = [], [], []
    for pk, bornes in attendues.items():
        present = existantes[pk]
        a_creer += [
            Periode(indicateur_id=pk, debut=b.debut, fin=b.fin, date_limite=b.date_limite)
            for cle, b in bornes.items()
            if cle not in present
        ]
        a_supprimer += [p.pk for cle, p in present.items() if cle not in bornes]
        if set(bornes) != set(present):
            changes.append(pk)
    contenante = Periode.objects.filter(
        indicateur_id=OuterRef("indicateur_id"), debut__lte=OuterRef("date"), fin__gte=OuterRef("date")
    ).values("pk")[:1]
    with transaction.atomic():
        if changes:
            Mesure.objects.filter(periode_id__in=a_supprimer).update(periode=None)
            Periode.objects.filter(pk__in=a_supprimer).delete()
            Periode.objects.bulk_create(a_creer, batch_size=1000)
        # The measurements of a changed calendar, and those written without a period (bulk loads).
        a_rattacher = Q(indicateur_id__in=changes) | Q(indicateur_id__in=attendues, periode__isnull=True)
        Mesure.objects.filter(a_rattacher).update(periode=Subquery(contenante))
    return len(a_creer)


def periode_of(*, indicateur: Indicateur, date: datetime.date) -> Periode | None:
    """The indicator's reporting period holding `date`, if the date lies in its calendar."""
    return Periode.objects.filter(indicateur=indicateur, debut__lte=date, fin__gte=date).first()


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
    suite = {
        Mesure.Statut.SOUMISE: "un·e chargé·e de programme peut la renvoyer pour correction ou la rejeter",
        Mesure.Statut.A_REVOIR: "elle a été renvoyée pour correction : corrigez-la plutôt que d'en déclarer une autre",
    }.get(
        existante.statut,
        "elle compte déjà dans les évaluations ; pour la corriger, adressez-vous à un·e chargé·e de programme",
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
    by: AbstractBaseUser,
    demo: bool = False,
    motif: str = "Mesure soumise",
) -> Mesure:
    """Submit a value of an indicator; a partner only for the projects their organisation belongs to.

    `motif`: the history's reason, when the value comes another way than typed (a spreadsheet import).
    """
    if not _peut_soumettre(by, indicateur):
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
        periode=periode_of(indicateur=indicateur, date=date),
        valeur=valeur,
        source=source.strip(),
        auteur=by,
        demo=demo,
    )
    mesure._history_user = by
    mesure._change_reason = motif
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


DECISIONS_MOTIFS = {
    Mesure.Statut.VALIDEE: "Mesure validée",
    Mesure.Statut.REJETEE: "Mesure rejetée",
    Mesure.Statut.A_REVOIR: "Mesure renvoyée pour correction",
}


def _decide(*, mesure: Mesure, by: AbstractBaseUser | None, statut: str, commentaire: str) -> Mesure:
    # `by=None` is a decision by the system (demo data, tests), never reachable from a request.
    if by is not None and role_of(by) != Profil.Role.CHARGE:
        raise PermissionDenied("Seul·e un·e chargé·e de programme valide, renvoie ou rejette une mesure.")
    with transaction.atomic():
        # Race: two officers deciding the same measurement at once; the second
        # waits for the first and then sees that it is no longer submitted.
        mesure = Mesure.objects.select_for_update().get(pk=mesure.pk)
        if mesure.statut == Mesure.Statut.A_REVOIR:
            raise ValidationError(
                {"statut": "Cette mesure a été renvoyée pour correction : elle attend la correction du partenaire."}
            )
        if mesure.statut != Mesure.Statut.SOUMISE:
            raise ValidationError(
                {"statut": f"Cette mesure est déjà {mesure.get_statut_display().lower()} : la décision est définitive."}
            )
        mesure.statut = statut
        mesure.commentaire = commentaire.strip()
        mesure.decision_par = by
        mesure.decision_le = timezone.now()
        mesure._history_user = by
        mesure._change_reason = DECISIONS_MOTIFS[statut]
        mesure.full_clean()
        mesure.save()
    return mesure


def mesure_validate(*, mesure: Mesure, by: AbstractBaseUser | None, commentaire: str = "") -> Mesure:
    """Validate a submitted measurement: from now on it counts in evaluations."""
    return _decide(mesure=mesure, by=by, statut=Mesure.Statut.VALIDEE, commentaire=commentaire)


def mesure_reject(*, mesure: Mesure, by: AbstractBaseUser | None, commentaire: str) -> Mesure:
    """Reject a submitted measurement, saying why (the partner reads the comment)."""
    if not commentaire.strip():
        raise ValidationError({"commentaire": "Un rejet est toujours motivé."})
    return _decide(mesure=mesure, by=by, statut=Mesure.Statut.REJETEE, commentaire=commentaire)


def mesure_return(*, mesure: Mesure, by: AbstractBaseUser | None, commentaire: str) -> Mesure:
    """Send a submitted measurement back to its partner for correction, saying what to correct.

    Unlike a rejection, the measurement keeps its period and date: the partner corrects
    it (mesure_correct) and it comes back to the queue; its history keeps every version.
    """
    if not commentaire.strip():
        raise ValidationError({"commentaire": "Un renvoi pour correction dit ce qu'il faut corriger."})
    return _decide(mesure=mesure, by=by, statut=Mesure.Statut.A_REVOIR, commentaire=commentaire)


def mesure_correct(
    *,
    mesure: Mesure,
    valeur: Decimal,
    source: str,
    by: AbstractBaseUser,
    date: datetime.date | None = None,
    motif: str = "Mesure corrigée et soumise à nouveau",
) -> Mesure:
    """The partner corrects a measurement sent back to them and submits it again.

    The corrected value goes back to the officers' queue; the officer's comment and the
    previous value stay in the measurement's history.
    """
    if not _peut_soumettre(by, mesure.indicateur):
        raise PermissionDenied(
            f"Votre organisation ne participe pas au projet « {mesure.indicateur.impact.projet} » : "
            "vous ne pouvez pas corriger ses mesures."
        )
    with transaction.atomic():
        mesure = Mesure.objects.select_for_update().select_related("indicateur").get(pk=mesure.pk)
        if mesure.statut != Mesure.Statut.A_REVOIR:
            raise ValidationError(
                {
                    "statut": f"Cette mesure est {mesure.get_statut_display().lower()} : "
                    "seule une mesure renvoyée pour correction se corrige."
                }
            )
        indicateur = mesure.indicateur
        date = mesure.date if date is None else date
        if date > timezone.localdate():
            raise ValidationError({"date": "Une mesure ne peut pas être datée dans le futur."})
        if date != mesure.date:
            periode = periode_of(indicateur=indicateur, date=date)
            if periode is None or periode.pk != mesure.periode_id:
                raise ValidationError({"date": "La date corrigée reste dans la période de déclaration de la mesure."})
            _date_libre(indicateur=indicateur, date=date)
        mesure.date = date
        mesure.valeur = _valeur_dans_le_domaine(_valeur_valide(valeur), indicateur)
        mesure.source = source.strip()
        mesure.statut = Mesure.Statut.SOUMISE
        mesure.auteur = by
        mesure.soumise_le = timezone.now()
        mesure.commentaire, mesure.decision_par, mesure.decision_le = "", None, None
        mesure._history_user = by
        mesure._change_reason = motif
        mesure.full_clean(validate_constraints=False)
        mesure.save()
    return mesure


# --- Evaluation -----------------------------------------------------------------


def evaluation_run(
    *,
    date: datetime.date,
    taille_lot: int | None = None,
    apres_lot: Callable[[int], None] | None = None,
) -> moteur.RapportEvaluation:
    """Evaluate every indicator on `date` and record the status changes.

    Indicators go by ranges of `taille_lot`, each range in one transaction: a run
    cut short keeps the ranges written, and a second run on the same date writes
    the same values, so it changes nothing. On PostgreSQL a range is one
    statement evaluated inside the database (evaluation.sql.EVALUATION), and
    INDICATEURS_CONNEXIONS ranges run side by side; elsewhere (SQLite, the
    embedded default) regles.evaluer runs on the rows of one query, then one
    upsert per range. Either way the number of queries depends on the number of
    ranges, not of indicators. Re-evaluating a past date does not revisit the
    changes recorded at later dates. `apres_lot` is called after each committed
    range with its size (progress bar, tests).
    """
    return moteur.indicateurs_evaluate(date=date, taille_lot=taille_lot, apres_lot=apres_lot)


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
    "libelle", "unite", "sens", "valeur_reference", "date_reference", "valeur_cible", "echeance", "frequence", "note",
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
    if {"frequence", "echeance"} & set(changes):
        periodes_sync(indicateurs=Indicateur.objects.filter(pk=indicateur.pk))
    return indicateur
