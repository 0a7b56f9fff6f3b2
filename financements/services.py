"""Writes to the ledger. The HTML views, the admin and the API all call these.

Concurrency: every write that touches a project's money in an envelope first
locks that project's allocation row (SELECT ... FOR UPDATE), then updates the
envelope row with a conditional UPDATE. The lock order is always allocation,
then envelope, so two writes never wait on each other in a cycle. The check
constraints on both rows are the last guard: PostgreSQL refuses any total past
a ceiling whatever path the write took.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Now
from django.utils import timezone

from config.erreurs import Conflit
from financements.models import Allocation, Avenant, Convention, Engagement, Enveloppe, Tranche, Versement
from laureats.models import Etablissement, Organisation, Partenariat, Projet
from laureats.services import projet_touch

CENTIME = Decimal("0.01")
# A ledger entry: a commitment or release (Engagement), a disbursement or reversal (Versement).
E = TypeVar("E", Engagement, Versement)


class PlafondDepasse(Conflit):
    """A ceiling would be exceeded; `reste` is what can still be committed or paid."""

    def __init__(self, message: str, reste: Decimal):
        super().__init__(message, champ="montant", details={"reste_disponible": f"{reste:.2f}"})
        self.reste = reste


def _euros(montant: Decimal) -> str:
    return f"{montant:,.2f}".replace(",", "\u202f").replace(".", ",") + " €"


def _montant_valide(montant, champ: str = "montant") -> Decimal:
    if not isinstance(montant, Decimal):
        try:
            montant = Decimal(str(montant))
        except ArithmeticError as exc:
            raise ValidationError({champ: "Montant illisible."}) from exc
    if not montant.is_finite():
        raise ValidationError({champ: "Montant illisible."})
    if montant <= 0:
        raise ValidationError({champ: "Le montant doit être strictement positif."})
    if montant != montant.quantize(CENTIME):
        raise ValidationError({champ: "Le montant a au plus deux décimales (centimes)."})
    return montant


def _date_lue(date: datetime.date | str, champ: str) -> datetime.date:
    if isinstance(date, str):
        try:
            return datetime.date.fromisoformat(date)
        except ValueError as exc:
            raise ValidationError({champ: "Date illisible : AAAA-MM-JJ attendu."}) from exc
    return date


def _date_valide(
    date: datetime.date | str, *, apres: datetime.date | None = None, regle: str = "", champ: str = "date"
) -> datetime.date:
    """The entry's date lies between the designation of the laureates and today, not before `apres`.

    `regle` says what the entry may not precede, for the refusal's message.
    """
    date = _date_lue(date, champ)
    debut = settings.PROGRAMME_DATE_DESIGNATION
    if date < debut:
        raise ValidationError(
            {
                champ: f"Le programme commence le {debut:%d/%m/%Y} avec la désignation des lauréats : "
                f"aucune écriture ne peut être datée du {date:%d/%m/%Y}."
            }
        )
    # The ledger records decisions taken and payments made, never planned ones.
    aujourdhui = timezone.localdate()
    if date > aujourdhui:
        raise ValidationError(
            {
                champ: f"Une écriture ne peut pas être datée dans le futur : {date:%d/%m/%Y}, "
                f"nous sommes le {aujourdhui:%d/%m/%Y}."
            }
        )
    if apres is not None and date < apres:
        raise ValidationError({champ: f"{regle} est daté du {apres:%d/%m/%Y} : l'écriture ne peut pas le précéder."})
    return date


def _reference_valide(reference: str) -> str:
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": "La référence est obligatoire."})
    return reference


def _reference_engagement_libre(*, enveloppe: Enveloppe, reference: str) -> None:
    """Refuse a reference already given to a commitment or release of the envelope, naming that entry."""
    premiere = Engagement.objects.filter(enveloppe=enveloppe, reference=reference).select_related("projet").first()
    if premiere is not None:
        raise ValidationError(
            {
                "reference": f"La référence {reference} est déjà utilisée dans l'enveloppe {enveloppe} : "
                f"{premiere.get_nature_display().lower()} du {premiere.date:%d/%m/%Y} sur {premiere.projet}, "
                f"{_euros(premiere.montant)}."
            }
        )


def _reference_versement_libre(*, enveloppe: Enveloppe, reference: str) -> None:
    """Refuse a reference already given to a disbursement or reversal in the envelope, naming that entry."""
    premier = (
        Versement.objects.filter(engagement__enveloppe=enveloppe, reference=reference)
        .select_related("engagement__projet")
        .order_by("date", "id")
        .first()
    )
    if premier is not None:
        raise ValidationError(
            {
                "reference": f"La référence {reference} est déjà utilisée dans l'enveloppe {enveloppe} : "
                f"{premier.get_nature_display().lower()} du {premier.date:%d/%m/%Y} sur {premier.engagement.projet} "
                f"(engagement {premier.engagement.reference}), {_euros(premier.montant)}."
            }
        )


def _clean(entry: Engagement | Versement) -> None:
    """Validate fields and constraints, but the reference's uniqueness.

    That one was checked under a message naming the first entry; checked again
    here, a twin committed meanwhile would come back as Django's generic
    message. The insert (_save_entry) catches that race instead.
    """
    entry.full_clean(validate_constraints=False)
    entry.validate_constraints(exclude={"reference"})


def _save_entry(entry: Engagement | Versement, *, enveloppe: Enveloppe) -> None:
    """Insert a ledger entry; a concurrent twin of its reference becomes the same refusal as a sequential one."""
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # Race: another transaction committed the same reference in the envelope after
        # our check; the unique constraint (or the insert trigger) stopped this one.
        if isinstance(entry, Engagement):
            _reference_engagement_libre(enveloppe=enveloppe, reference=entry.reference)
        else:
            _reference_versement_libre(enveloppe=enveloppe, reference=entry.reference)
        raise


def _lock_allocation(*, projet: Projet, enveloppe: Enveloppe) -> Allocation:
    try:
        # Race: two officers writing on this project and envelope at once; the
        # second waits here until the first commits, then reads its totals.
        return Allocation.objects.select_for_update().get(projet=projet, enveloppe=enveloppe)
    except Allocation.DoesNotExist as exc:
        raise ValidationError(
            {"enveloppe": f"Le projet « {projet} » n'a pas d'allocation dans l'enveloppe « {enveloppe} »."}
        ) from exc


def _add_to_envelope(enveloppe: Enveloppe, montant: Decimal) -> None:
    """Add to the envelope's committed total unless that passes its ceiling."""
    # A conditional UPDATE: PostgreSQL re-checks the condition on the latest row
    # version after waiting for a concurrent writer, so no two commitments can
    # both see the same headroom.
    updated = Enveloppe.objects.filter(pk=enveloppe.pk, montant_engage__lte=F("plafond") - montant).update(
        montant_engage=F("montant_engage") + montant, modifie_le=Now()
    )
    if not updated:
        enveloppe.refresh_from_db(fields=["plafond", "montant_engage"])
        reste = enveloppe.plafond - enveloppe.montant_engage
        raise PlafondDepasse(
            f"Plafond de l'enveloppe « {enveloppe} » dépassé : il reste {_euros(reste)} à engager "
            f"sur {_euros(enveloppe.plafond)}, le montant demandé est de {_euros(montant)}.",
            reste,
        )


def _ledger_write(
    *,
    projet: Projet,
    enveloppe: Enveloppe,
    reference: str,
    reference_libre: Callable[..., None],
    entry_for: Callable[[Allocation], E],
    total: str,
    montant: Decimal,
) -> E:
    """The steps every ledger write takes, in this order, once its input is read.

    Lock the allocation, refuse a reference already used in the envelope, check the
    ceilings and build the entry (`entry_for`, which may read sums: every write on
    the project holds this lock, so they cannot change until the transaction ends),
    validate it, move the envelope's then the allocation's running `total` by
    `montant` (negative for a release or a reversal), insert the entry.
    """
    allocation = _lock_allocation(projet=projet, enveloppe=enveloppe)
    reference_libre(enveloppe=enveloppe, reference=reference)
    entry = entry_for(allocation)
    _clean(entry)
    if total == "montant_engage":
        # Checked against the envelope's ceiling; a release, negative, always passes.
        _add_to_envelope(enveloppe, montant)
    else:
        Enveloppe.objects.filter(pk=enveloppe.pk).update(montant_verse=F("montant_verse") + montant, modifie_le=Now())
    Allocation.objects.filter(pk=allocation.pk).update(**{total: F(total) + montant}, modifie_le=Now())
    projet_touch(allocation.projet_id)
    if total == "montant_engage" and entry.convention_id is not None:
        # A convention's amount is the running total of the entries made under it.
        Convention.objects.filter(pk=entry.convention_id).update(montant=F("montant") + montant, modifie_le=Now())
    _save_entry(entry, enveloppe=enveloppe)
    return entry


@transaction.atomic
def engagement_create(
    *,
    projet: Projet,
    enveloppe: Enveloppe,
    montant: Decimal,
    date: datetime.date,
    reference: str,
    motif: str,
    by: AbstractBaseUser | None,
    justification_depassement: str = "",
    convention: Convention | None = None,
    avenant: Avenant | None = None,
) -> Engagement:
    """Commit money of an envelope to a project, within the envelope's and the project's ceilings.

    A subsidy is committed under a convention: by its signature (convention_create)
    or by an amendment raising its amount (avenant_create), which pass `convention`.
    """
    montant = _montant_valide(montant)
    if enveloppe.code == Enveloppe.Code.SUBVENTION and convention is None:
        raise ValidationError(
            {
                "enveloppe": "Une subvention s'engage par une convention avec son bénéficiaire : "
                "enregistrez la convention et son échéancier, ou un avenant à une convention existante."
            }
        )
    date = _date_valide(date)
    reference = _reference_valide(reference)

    def engagement_for(allocation: Allocation) -> Engagement:
        avant = allocation.montant_engage
        apres = avant + montant
        depasse = apres > allocation.montant
        if depasse and allocation.plafonnee:
            reste = max(allocation.montant - avant, Decimal("0.00"))
            raise PlafondDepasse(
                f"Subvention prévue du projet « {projet} » dépassée : il reste {_euros(reste)} à engager "
                f"sur {_euros(allocation.montant)}, le montant demandé est de {_euros(montant)}.",
                reste,
            )
        if depasse and not justification_depassement.strip():
            # Equity may go beyond the fiche's investment potential, never silently.
            raise ValidationError(
                {
                    "justification_depassement": (
                        f"Cet engagement porterait le total à {_euros(apres)}, au-delà du potentiel "
                        f"d'investissement de {_euros(allocation.montant)} : une justification est requise."
                    )
                }
            )
        return Engagement(
            projet=projet,
            enveloppe=enveloppe,
            allocation=allocation,
            convention=convention,
            avenant=avenant,
            nature=Engagement.Nature.ENGAGEMENT,
            montant=montant,
            date=date,
            reference=reference,
            motif=motif,
            depasse_potentiel=depasse,
            justification_depassement=justification_depassement.strip() if depasse else "",
            engage_projet_avant=avant,
            engage_projet_apres=apres,
            auteur=by,
        )

    return _ledger_write(
        projet=projet, enveloppe=enveloppe, reference=reference, reference_libre=_reference_engagement_libre,
        entry_for=engagement_for, total="montant_engage", montant=montant,
    )  # fmt: skip


def _solde_engagement(engagement: Engagement) -> tuple[Decimal, Decimal]:
    """(released, net paid) on a commitment, summed in the database."""
    libere = engagement.desengagements.aggregate(total=Sum("montant"))["total"] or Decimal("0.00")
    totaux = dict(
        Versement.objects.filter(engagement=engagement)
        .order_by()
        .values("nature")
        .annotate(total=Sum("montant"))
        .values_list("nature", "total")
    )
    zero = Decimal("0.00")
    verse = totaux.get(Versement.Nature.VERSEMENT, zero) - totaux.get(Versement.Nature.ANNULATION, zero)
    return libere, verse


def _engagement_origine(engagement: Engagement) -> Engagement:
    if engagement.nature != Engagement.Nature.ENGAGEMENT:
        raise ValidationError({"engagement": "Seul un engagement (pas un désengagement) peut être libéré ou payé."})
    return engagement


@transaction.atomic
def desengagement_create(
    *,
    engagement: Engagement,
    montant: Decimal,
    date: datetime.date,
    reference: str,
    motif: str,
    by: AbstractBaseUser | None,
    avenant: Avenant | None = None,
) -> Engagement:
    """Release part of a commitment that has not been paid: a new, reasoned entry.

    A convention's commitment is released by an amendment only (avenant_create),
    which adjusts the payment schedule with the amount.
    """
    montant = _montant_valide(montant)
    engagement = _engagement_origine(engagement)
    if engagement.convention_id is not None and avenant is None:
        raise ValidationError(
            {
                "engagement": f"L'engagement {engagement.reference} est celui d'une convention : son montant ne "
                "change que par un avenant, qui ajuste aussi l'échéancier."
            }
        )
    date = _date_valide(
        date, apres=engagement.date, regle=f"Un désengagement libère l'engagement {engagement.reference}, qui"
    )
    reference = _reference_valide(reference)
    if not motif.strip():
        raise ValidationError({"motif": "Un désengagement est toujours motivé."})

    def desengagement_for(allocation: Allocation) -> Engagement:
        libere, verse = _solde_engagement(engagement)
        disponible = engagement.montant - libere - verse
        if montant > disponible:
            raise PlafondDepasse(
                f"On ne peut libérer que la part non versée de l'engagement {engagement.reference} : "
                f"{_euros(disponible)}, le montant demandé est de {_euros(montant)}.",
                disponible,
            )
        avant = allocation.montant_engage
        return Engagement(
            projet=engagement.projet,
            enveloppe=engagement.enveloppe,
            allocation=allocation,
            convention_id=engagement.convention_id,
            avenant=avenant,
            nature=Engagement.Nature.DESENGAGEMENT,
            engagement_origine=engagement,
            montant=montant,
            date=date,
            reference=reference,
            motif=motif,
            engage_projet_avant=avant,
            engage_projet_apres=avant - montant,
            auteur=by,
        )

    return _ledger_write(
        projet=engagement.projet, enveloppe=engagement.enveloppe, reference=reference,
        reference_libre=_reference_engagement_libre, entry_for=desengagement_for,
        total="montant_engage", montant=-montant,
    )  # fmt: skip


@transaction.atomic
def versement_create(
    *,
    engagement: Engagement,
    montant: Decimal,
    date: datetime.date,
    reference: str,
    by: AbstractBaseUser | None,
    motif: str = "",
    tranche: Tranche | None = None,
) -> Versement:
    """Pay part of a commitment; the sum paid never exceeds what is still committed.

    A convention's commitment is paid tranche by tranche (tranche_pay, which passes `tranche`).
    """
    montant = _montant_valide(montant)
    engagement = _engagement_origine(engagement)
    if engagement.convention_id is not None and (tranche is None or tranche.convention_id != engagement.convention_id):
        raise ValidationError(
            {
                "tranche": f"L'engagement {engagement.reference} est celui d'une convention : "
                "un versement paie une tranche de son échéancier."
            }
        )
    if engagement.convention_id is None and tranche is not None:
        raise ValidationError({"tranche": "Cet engagement n'a pas de convention, donc pas de tranches."})
    date = _date_valide(
        date, apres=engagement.date, regle=f"Un versement paie l'engagement {engagement.reference}, qui"
    )
    reference = _reference_valide(reference)

    def versement_for(allocation: Allocation) -> Versement:
        libere, verse = _solde_engagement(engagement)
        reste = engagement.montant - libere - verse
        if montant > reste:
            raise PlafondDepasse(
                f"Versement supérieur au reste à payer de l'engagement {engagement.reference} : il reste "
                f"{_euros(reste)} sur {_euros(engagement.montant - libere)}, "
                f"le montant demandé est de {_euros(montant)}.",
                reste,
            )
        if tranche is not None:
            reste_tranche = tranche.montant - tranche_verse(tranche)
            if montant > reste_tranche:
                raise PlafondDepasse(
                    f"Versement supérieur au reste à payer de la tranche n° {tranche.numero} : il reste "
                    f"{_euros(reste_tranche)} sur {_euros(tranche.montant)}, "
                    f"le montant demandé est de {_euros(montant)}.",
                    reste_tranche,
                )
        return Versement(
            engagement=engagement,
            tranche=tranche,
            nature=Versement.Nature.VERSEMENT,
            montant=montant,
            date=date,
            reference=reference,
            motif=motif,
            verse_engagement_avant=verse,
            verse_engagement_apres=verse + montant,
            auteur=by,
        )

    return _ledger_write(
        projet=engagement.projet, enveloppe=engagement.enveloppe, reference=reference,
        reference_libre=_reference_versement_libre, entry_for=versement_for, total="montant_verse", montant=montant,
    )  # fmt: skip


@transaction.atomic
def versement_cancel(
    *,
    versement: Versement,
    montant: Decimal,
    date: datetime.date,
    reference: str,
    motif: str,
    by: AbstractBaseUser | None,
) -> Versement:
    """Reverse all or part of a disbursement (funds returned, payment error): a new entry."""
    montant = _montant_valide(montant)
    if versement.nature != Versement.Nature.VERSEMENT:
        raise ValidationError({"versement": "Seul un versement peut être annulé."})
    date = _date_valide(
        date, apres=versement.date, regle=f"Une annulation porte sur le versement {versement.reference}, qui"
    )
    reference = _reference_valide(reference)
    if not motif.strip():
        raise ValidationError({"motif": "Une annulation de versement est toujours motivée."})
    engagement = versement.engagement

    def annulation_for(allocation: Allocation) -> Versement:
        deja_annule = versement.annulations.aggregate(total=Sum("montant"))["total"] or Decimal("0.00")
        annulable = versement.montant - deja_annule
        if montant > annulable:
            raise PlafondDepasse(
                f"On ne peut annuler que {_euros(annulable)} du versement {versement.reference}, "
                f"le montant demandé est de {_euros(montant)}.",
                annulable,
            )
        _, verse = _solde_engagement(engagement)
        return Versement(
            engagement=engagement,
            tranche_id=versement.tranche_id,
            nature=Versement.Nature.ANNULATION,
            versement_origine=versement,
            montant=montant,
            date=date,
            reference=reference,
            motif=motif,
            verse_engagement_avant=verse,
            verse_engagement_apres=verse - montant,
            auteur=by,
        )

    return _ledger_write(
        projet=engagement.projet, enveloppe=engagement.enveloppe, reference=reference,
        reference_libre=_reference_versement_libre, entry_for=annulation_for, total="montant_verse", montant=-montant,
    )  # fmt: skip


@transaction.atomic
def allocation_update(*, allocation: Allocation, montant: Decimal, by: AbstractBaseUser | None) -> Allocation:
    """Change a project's allocation (the fiche's amount), never below what is committed."""
    montant = _montant_valide(montant)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.plafonnee and montant < allocation.montant_engage:
        raise ValidationError(
            {"montant": f"Déjà {_euros(allocation.montant_engage)} engagés : le montant ne peut être inférieur."}
        )
    allocation.montant = montant
    allocation._history_user = by
    allocation._change_reason = "Montant de l'allocation modifié"
    allocation.full_clean()
    allocation.save(update_fields=["montant", "modifie_le"])
    projet_touch(allocation.projet_id)
    return allocation


ENVELOPPE_CHAMPS_MODIFIABLES = ("libelle", "plafond", "plafonne_par_projet")


@transaction.atomic
def enveloppe_update(*, enveloppe: Enveloppe, data: dict, by: AbstractBaseUser | None) -> Enveloppe:
    """Correct an envelope's label or ceiling, never below what is committed; its totals stay the services'."""
    inconnus = set(data) - set(ENVELOPPE_CHAMPS_MODIFIABLES)
    if inconnus:
        raise ValidationError(f"Champs non modifiables : {', '.join(sorted(inconnus))}.")
    if "plafond" in data:
        data = {**data, "plafond": _montant_valide(data["plafond"], "plafond")}
    # Locked: a commitment written meanwhile is counted before the ceiling is compared with it.
    enveloppe = Enveloppe.objects.select_for_update().get(pk=enveloppe.pk)
    if "plafond" in data and data["plafond"] < enveloppe.montant_engage:
        raise ValidationError(
            {
                "plafond": f"Déjà {_euros(enveloppe.montant_engage)} engagés sur cette enveloppe : "
                "le plafond ne peut être inférieur."
            }
        )
    changes = [name for name, value in data.items() if getattr(enveloppe, name) != value]
    if not changes:
        return enveloppe
    for name in changes:
        setattr(enveloppe, name, data[name])
    enveloppe.full_clean()
    enveloppe._history_user = by
    enveloppe._change_reason = "Enveloppe modifiée"
    # Only the corrected fields: the totals are the ledger's, written by its services alone.
    enveloppe.save(update_fields=[*changes, "modifie_le"])
    return enveloppe


# --- Conventions, their payment schedules and their amendments ---------------------------------------------------

OBJET_MAX = 256
CONVENTION_CHAMPS_MODIFIABLES = (
    "objet",
    "etablissement",
    "nature_aide",
    "conditions_versement",
    "notification_ue",
    "regime_aide",
    "pourcentage_subvention",
)


def _texte_requis(valeur: str, champ: str, message: str, *, longueur: int | None = None) -> str:
    valeur = (valeur or "").strip()
    if not valeur:
        raise ValidationError({champ: message})
    if longueur is not None and len(valeur) > longueur:
        raise ValidationError({champ: f"{longueur} caractères au plus ({len(valeur)} saisis)."})
    return valeur


def _beneficiaire_valide(*, projet: Projet, beneficiaire: Organisation) -> Organisation:
    """A convention's beneficiary takes part in the project: its lead or a recorded partner."""
    if beneficiaire.pk == projet.chef_de_file_id:
        return beneficiaire
    if not Partenariat.objects.filter(projet=projet, organisation=beneficiaire).exists():
        raise ValidationError(
            {
                "beneficiaire": f"« {beneficiaire} » ne participe pas au projet « {projet} » : le bénéficiaire "
                "d'une convention est son chef de file ou l'un de ses partenaires."
            }
        )
    return beneficiaire


def _etablissement_valide(*, beneficiaire: Organisation, etablissement: Etablissement | None) -> Etablissement | None:
    if etablissement is not None and etablissement.organisation_id != beneficiaire.pk:
        raise ValidationError(
            {"etablissement": f"L'établissement {etablissement.siret} n'appartient pas à « {beneficiaire} »."}
        )
    return etablissement


def _pourcentage_valide(pourcentage) -> Decimal | None:
    if pourcentage is None or pourcentage == "":
        return None
    try:
        pourcentage = Decimal(str(pourcentage))
    except ArithmeticError as exc:
        raise ValidationError({"pourcentage_subvention": "Pourcentage illisible."}) from exc
    if not pourcentage.is_finite() or not Decimal("0.01") <= pourcentage <= 100:
        raise ValidationError({"pourcentage_subvention": "La part du coût éligible est comprise entre 0,01 et 100 %."})
    if pourcentage != pourcentage.quantize(CENTIME):
        raise ValidationError({"pourcentage_subvention": "Deux décimales au plus."})
    return pourcentage


def _regime_valide(*, notification_ue: bool | None, regime_aide: str) -> str:
    regime_aide = (regime_aide or "").strip()
    if notification_ue and not regime_aide:
        raise ValidationError({"regime_aide": "Une aide notifiée à la Commission européenne nomme son régime d'aides."})
    return regime_aide


def _conditions_coherentes(conditions_versement: str, nombre_tranches: int) -> None:
    if conditions_versement == Convention.ConditionsVersement.UNIQUE and nombre_tranches != 1:
        raise ValidationError(
            {
                "conditions_versement": f"Un versement unique se fait en une tranche ; "
                f"l'échéancier en compte {nombre_tranches}."
            }
        )
    if conditions_versement == Convention.ConditionsVersement.ECHELONNE and nombre_tranches < 2:
        raise ValidationError({"conditions_versement": "Un versement échelonné compte au moins deux tranches."})


def _tranches_lues(tranches: list[dict], *, date_signature: datetime.date, vide: bool = False) -> list[dict]:
    """Each planned tranche read and checked; errors name the tranche by its rank in the schedule.

    `vide`: an empty schedule is allowed (a convention amended down to nothing).
    """
    if not tranches and not vide:
        raise ValidationError({"tranches": "L'échéancier compte au moins une tranche."})
    lues = []
    for rang, tranche in enumerate(tranches, start=1):
        champ = f"tranches.{rang - 1}"
        try:
            montant = _montant_valide(tranche.get("montant"), f"{champ}.montant")
            date_prevue = _date_lue(tranche.get("date_prevue"), f"{champ}.date_prevue")
        except TypeError as exc:
            raise ValidationError({champ: f"Tranche {rang} : montant ou date manquant."}) from exc
        if date_prevue < date_signature:
            raise ValidationError(
                {
                    f"{champ}.date_prevue": f"Tranche {rang} prévue le {date_prevue:%d/%m/%Y}, avant la convention "
                    f"du {date_signature:%d/%m/%Y}."
                }
            )
        condition = _texte_requis(
            tranche.get("condition", ""),
            f"{champ}.condition",
            f"Tranche {rang} : la condition de versement est requise (« À la signature », « Sur justificatifs »…).",
            longueur=255,
        )
        lues.append(
            {"numero": tranche.get("numero"), "date_prevue": date_prevue, "montant": montant, "condition": condition}
        )
    return lues


def _somme_egale(tranches: list[dict], montant: Decimal) -> None:
    somme = sum((t["montant"] for t in tranches), Decimal("0.00"))
    if somme != montant:
        raise ValidationError(
            {
                "tranches": f"Les tranches totalisent {_euros(somme)}, la convention {_euros(montant)} : "
                f"l'échéancier doit en faire exactement le montant (écart de {_euros(montant - somme)})."
            }
        )


def tranche_verse(tranche: Tranche) -> Decimal:
    """Net amount paid on a tranche (disbursements less reversals), summed in the database."""
    totaux = dict(
        Versement.objects.filter(tranche=tranche)
        .order_by()
        .values("nature")
        .annotate(total=Sum("montant"))
        .values_list("nature", "total")
    )
    zero = Decimal("0.00")
    return totaux.get(Versement.Nature.VERSEMENT, zero) - totaux.get(Versement.Nature.ANNULATION, zero)


def _tranche_save(tranche: Tranche, *, by: AbstractBaseUser | None, motif: str) -> None:
    tranche._history_user = by
    tranche._change_reason = motif
    tranche.full_clean(exclude=["convention"])
    tranche.save()


def _echeancier_replace(*, convention: Convention, tranches: list[dict], by, motif: str) -> None:
    """Make the convention's schedule the given one: tranches named by `numero` are changed, the others created.

    A tranche left out is deleted, unless something was paid on it; a tranche is never
    planned below what was paid on it. The caller holds the allocation's lock.
    """
    lues = _tranches_lues(tranches, date_signature=convention.date_signature, vide=convention.montant == 0)
    _somme_egale(lues, convention.montant)
    if lues:
        _conditions_coherentes(convention.conditions_versement, len(lues))
    existantes = {t.numero: t for t in convention.tranches.all()}
    gardees = set()
    for rang, lue in enumerate(lues):
        numero = lue["numero"]
        if numero in (None, ""):
            continue
        try:
            numero = int(numero)
        except (TypeError, ValueError) as exc:
            raise ValidationError({f"tranches.{rang}.numero": "Numéro de tranche illisible."}) from exc
        if numero not in existantes:
            raise ValidationError({f"tranches.{rang}.numero": f"La convention n'a pas de tranche n° {numero}."})
        verse = tranche_verse(existantes[numero])
        if lue["montant"] < verse:
            raise ValidationError(
                {
                    f"tranches.{rang}.montant": f"Tranche n° {numero} : {_euros(verse)} déjà versés, "
                    "elle ne peut être prévue pour moins."
                }
            )
        gardees.add(numero)
        lue["numero"] = numero
    for numero, tranche in existantes.items():
        if numero not in gardees and Versement.objects.filter(tranche=tranche).exists():
            raise ValidationError(
                {"tranches": f"La tranche n° {numero} a reçu des versements : elle reste dans l'échéancier."}
            )
    for numero, tranche in existantes.items():
        if numero not in gardees:
            tranche._history_user = by
            tranche._change_reason = motif
            tranche.delete()
    suivant = max(existantes, default=0) + 1
    for lue in lues:
        if lue["numero"] in existantes:
            tranche = existantes[lue["numero"]]
            if (tranche.date_prevue, tranche.montant, tranche.condition) == (
                lue["date_prevue"],
                lue["montant"],
                lue["condition"],
            ):
                continue
            if lue["date_prevue"] != tranche.date_prevue:
                # Re-planned: overdue again later is news again.
                tranche.retard_signale_le = None
        else:
            tranche = Tranche(convention=convention, numero=suivant)
            suivant += 1
        tranche.date_prevue, tranche.montant, tranche.condition = lue["date_prevue"], lue["montant"], lue["condition"]
        _tranche_save(tranche, by=by, motif=motif)
    # A schedule read through the convention (API `updated_since`) changed with it.
    Convention.objects.filter(pk=convention.pk).update(modifie_le=Now())


def _apres_signature(convention: Convention, date: datetime.date, ecriture: str) -> None:
    if date < convention.date_signature:
        raise ValidationError(
            {
                "date": f"La convention {convention.reference} est signée le {convention.date_signature:%d/%m/%Y} : "
                f"{ecriture.lower()} daté du {date:%d/%m/%Y} ne peut pas la précéder."
            }
        )


def _convention_locked(convention: Convention) -> Convention:
    """Lock the project's subsidy allocation (the ledger's lock order), then re-read the convention."""
    _lock_allocation(projet=convention.projet, enveloppe=convention.enveloppe)
    return Convention.objects.select_related("projet", "enveloppe", "beneficiaire").get(pk=convention.pk)


@transaction.atomic
def convention_create(
    *,
    projet: Projet,
    beneficiaire: Organisation,
    objet: str,
    date_signature: datetime.date | str,
    reference: str,
    montant: Decimal,
    tranches: list[dict],
    by: AbstractBaseUser | None,
    etablissement: Etablissement | None = None,
    nature_aide: str = "",
    conditions_versement: str = "",
    notification_ue: bool | None = None,
    regime_aide: str = "",
    pourcentage_subvention: Decimal | str | None = None,
) -> Convention:
    """Record a signed subsidy convention with its schedule, and commit its amount in the ledger.

    The tranches sum to the amount; the commitment passes the ceilings of the
    envelope and of the project's planned subsidy (engagement_create), or nothing is written.
    """
    montant = _montant_valide(montant)
    date_signature = _date_valide(date_signature, champ="date_signature")
    reference = _reference_valide(reference)
    objet = _texte_requis(objet, "objet", "L'objet de la convention est requis.", longueur=OBJET_MAX)
    beneficiaire = _beneficiaire_valide(projet=projet, beneficiaire=beneficiaire)
    etablissement = _etablissement_valide(beneficiaire=beneficiaire, etablissement=etablissement)
    pourcentage_subvention = _pourcentage_valide(pourcentage_subvention)
    regime_aide = _regime_valide(notification_ue=notification_ue, regime_aide=regime_aide)
    lues = _tranches_lues(tranches, date_signature=date_signature)
    _somme_egale(lues, montant)
    _conditions_coherentes(conditions_versement, len(lues))
    enveloppe = Enveloppe.objects.get(code=Enveloppe.Code.SUBVENTION)
    allocation = _lock_allocation(projet=projet, enveloppe=enveloppe)
    _reference_engagement_libre(enveloppe=enveloppe, reference=reference)
    convention = Convention(
        projet=projet,
        enveloppe=enveloppe,
        allocation=allocation,
        beneficiaire=beneficiaire,
        etablissement=etablissement,
        objet=objet,
        date_signature=date_signature,
        reference=reference,
        nature_aide=nature_aide,
        conditions_versement=conditions_versement,
        notification_ue=notification_ue,
        regime_aide=regime_aide,
        pourcentage_subvention=pourcentage_subvention,
        auteur=by,
    )
    convention.full_clean(validate_constraints=False)
    convention.validate_constraints(exclude={"reference"})
    convention._history_user = by
    convention._change_reason = "Convention enregistrée"
    try:
        with transaction.atomic():
            convention.save()
    except IntegrityError:
        # Race: a convention of another project took the reference after our check (another
        # allocation's lock); its commitment is committed with it, and the refusal names it.
        _reference_engagement_libre(enveloppe=enveloppe, reference=reference)
        raise
    for numero, lue in enumerate(lues, start=1):
        tranche = Tranche(
            convention=convention, numero=numero, date_prevue=lue["date_prevue"], montant=lue["montant"],
            condition=lue["condition"],
        )  # fmt: skip
        _tranche_save(tranche, by=by, motif="Échéancier de la convention")
    engagement_create(
        projet=projet,
        enveloppe=enveloppe,
        montant=montant,
        date=date_signature,
        reference=reference,
        motif=f"Convention avec {beneficiaire} : {objet}",
        by=by,
        convention=convention,
    )
    convention.refresh_from_db(fields=["montant"])
    return convention


@transaction.atomic
def convention_update(*, convention: Convention, data: dict, by: AbstractBaseUser | None) -> Convention:
    """Complete or correct what a convention says beside its money (object, publication fields)."""
    inconnus = set(data) - set(CONVENTION_CHAMPS_MODIFIABLES)
    if inconnus:
        raise ValidationError(
            f"Champs non modifiables ici : {', '.join(sorted(inconnus))} (le montant change par avenant)."
        )
    convention = _convention_locked(convention)
    if "objet" in data:
        data = {
            **data,
            "objet": _texte_requis(data["objet"], "objet", "L'objet de la convention est requis.", longueur=OBJET_MAX),
        }
    if "pourcentage_subvention" in data:
        data = {**data, "pourcentage_subvention": _pourcentage_valide(data["pourcentage_subvention"])}
    if "etablissement" in data:
        _etablissement_valide(beneficiaire=convention.beneficiaire, etablissement=data["etablissement"])
    if "conditions_versement" in data:
        _conditions_coherentes(data["conditions_versement"], convention.tranches.count())
    if "notification_ue" in data or "regime_aide" in data:
        regime_aide = _regime_valide(
            notification_ue=data.get("notification_ue", convention.notification_ue),
            regime_aide=data.get("regime_aide", convention.regime_aide),
        )
        if "regime_aide" in data:
            data = {**data, "regime_aide": regime_aide}
    changes = [name for name, value in data.items() if getattr(convention, name) != value]
    if not changes:
        return convention
    for name in changes:
        setattr(convention, name, data[name])
    convention.full_clean(validate_constraints=False)
    convention.validate_constraints()
    convention._history_user = by
    convention._change_reason = "Convention complétée"
    convention.save(update_fields=[*changes, "modifie_le"])
    return convention


@transaction.atomic
def echeancier_update(
    *, convention: Convention, tranches: list[dict], motif: str, by: AbstractBaseUser | None
) -> Convention:
    """Re-plan a convention's schedule (dates, split), its total unchanged."""
    motif = _texte_requis(motif, "motif", "Dites pourquoi l'échéancier change.")
    convention = _convention_locked(convention)
    _echeancier_replace(convention=convention, tranches=tranches, by=by, motif=f"Échéancier modifié : {motif}")
    return convention


def _ecritures_ouvertes(convention: Convention) -> list[tuple[Engagement, Decimal, Decimal]]:
    """The convention's commitments, oldest first, with what is released and paid on each."""
    return [
        (engagement, *_solde_engagement(engagement))
        for engagement in convention.ecritures.filter(nature=Engagement.Nature.ENGAGEMENT).order_by("date", "id")
    ]


def _references(reference: str, nombre: int) -> list[str]:
    """One decision written as several entries: the reference, then reference-2, reference-3…"""
    return [reference] + [f"{reference}-{rang}" for rang in range(2, nombre + 1)]


def _echeancier_ajuste(convention: Convention, variation: Decimal, *, avenant: Avenant, by) -> list[dict]:
    """The schedule an amendment implies when none is given: a raise adds to the last tranche not
    fully paid (or a new tranche at the amendment's date), a cut takes from the unpaid part of the
    last tranches first."""
    tranches = [
        {"numero": t.numero, "date_prevue": t.date_prevue, "montant": t.montant, "condition": t.condition,
         "verse": tranche_verse(t)}
        for t in convention.tranches.order_by("date_prevue", "numero")
    ]  # fmt: skip
    if variation > 0:
        ouvertes = [t for t in tranches if t["verse"] < t["montant"]]
        if ouvertes:
            ouvertes[-1]["montant"] += variation
        else:
            derniere = max((t["date_prevue"] for t in tranches), default=avenant.date)
            tranches.append(
                {"numero": None, "date_prevue": max(derniere, avenant.date), "montant": variation,
                 "condition": f"Avenant n° {avenant.numero}", "verse": Decimal("0.00")}
            )  # fmt: skip
        return tranches
    a_retirer = -variation
    for tranche in reversed(tranches):
        part = min(tranche["montant"] - tranche["verse"], a_retirer)
        tranche["montant"] -= part
        a_retirer -= part
    return [t for t in tranches if t["montant"] > 0]


@transaction.atomic
def avenant_create(
    *,
    convention: Convention,
    variation: Decimal | str,
    date: datetime.date | str,
    reference: str,
    motif: str,
    by: AbstractBaseUser | None,
    tranches: list[dict] | None = None,
) -> Avenant:
    """Amend a convention's amount: a commitment (raise) or releases (cut) in the ledger, with the reason.

    `tranches` is the schedule after the amendment; without it the schedule is adjusted
    on its last unpaid tranches. A cut takes only what is neither released nor paid.
    """
    try:
        variation = Decimal(str(variation))
    except ArithmeticError as exc:
        raise ValidationError({"variation": "Montant illisible."}) from exc
    if not variation.is_finite() or variation == 0:
        raise ValidationError(
            {"variation": "Un avenant change le montant : une hausse (positive) ou une baisse (négative)."}
        )
    _montant_valide(abs(variation), "variation")
    date = _date_valide(date)
    _apres_signature(convention, date, "Un avenant")
    reference = _reference_valide(reference)
    motif = _texte_requis(motif, "motif", "Un avenant est toujours motivé.")
    convention = _convention_locked(convention)
    _reference_engagement_libre(enveloppe=convention.enveloppe, reference=reference)
    ouvertes = _ecritures_ouvertes(convention)
    if variation < 0:
        liberable = sum((e.montant - libere - verse for e, libere, verse in ouvertes), Decimal("0.00"))
        if -variation > liberable:
            raise PlafondDepasse(
                f"On ne peut libérer que la part non versée de la convention {convention.reference} : "
                f"{_euros(liberable)}, la baisse demandée est de {_euros(-variation)}.",
                liberable,
            )
    numero = (convention.avenants.order_by("-numero").values_list("numero", flat=True).first() or 0) + 1
    avenant = Avenant(
        convention=convention, numero=numero, date=date, reference=reference, motif=motif, variation=variation,
        montant_avant=convention.montant, montant_apres=convention.montant + variation, auteur=by,
    )  # fmt: skip
    avenant._history_user = by
    avenant._change_reason = f"Avenant n° {numero} enregistré"
    avenant.save()
    texte = f"Avenant n° {numero} à la convention {convention.reference} : {motif}"
    if variation > 0:
        engagement_create(
            projet=convention.projet, enveloppe=convention.enveloppe, montant=variation, date=date,
            reference=reference, motif=texte, by=by, convention=convention, avenant=avenant,
        )  # fmt: skip
    else:
        # The most recent commitments are released first.
        parts = []
        reste = -variation
        for engagement, libere, verse in reversed(ouvertes):
            part = min(engagement.montant - libere - verse, reste)
            if part > 0:
                parts.append((engagement, part))
                reste -= part
        for (engagement, part), ref in zip(parts, _references(reference, len(parts)), strict=True):
            desengagement_create(
                engagement=engagement, montant=part, date=date, reference=ref, motif=texte, by=by, avenant=avenant
            )
    convention.refresh_from_db(fields=["montant"])
    if tranches is None:
        tranches = _echeancier_ajuste(convention, variation, avenant=avenant, by=by)
    _echeancier_replace(convention=convention, tranches=tranches, by=by, motif=f"Avenant n° {numero}")
    return avenant


@transaction.atomic
def tranche_pay(
    *,
    tranche: Tranche,
    montant: Decimal,
    date: datetime.date | str,
    reference: str,
    by: AbstractBaseUser | None,
    motif: str = "",
) -> list[Versement]:
    """Pay a tranche, in full or in part: disbursements on the convention's commitments, oldest first.

    Usually one entry; when the amount spans two commitments (a raise by amendment), one
    entry per commitment, referenced reference, reference-2…
    """
    montant = _montant_valide(montant)
    convention = _convention_locked(tranche.convention)
    tranche = Tranche.objects.get(pk=tranche.pk)
    date = _date_valide(date)
    _apres_signature(convention, date, "Un versement")
    reference = _reference_valide(reference)
    reste = tranche.montant - tranche_verse(tranche)
    if montant > reste:
        raise PlafondDepasse(
            f"Versement supérieur au reste à payer de la tranche n° {tranche.numero} : il reste {_euros(reste)} "
            f"sur {_euros(tranche.montant)}, le montant demandé est de {_euros(montant)}.",
            reste,
        )
    parts = []
    a_payer = montant
    for engagement, libere, verse in _ecritures_ouvertes(convention):
        part = min(engagement.montant - libere - verse, a_payer)
        if part > 0:
            parts.append((engagement, part))
            a_payer -= part
    if a_payer > 0:
        # The tranches sum to the convention's net commitment, so this means a corrupted schedule.
        raise PlafondDepasse(
            f"La convention {convention.reference} n'a plus que {_euros(montant - a_payer)} engagés à payer.",
            montant - a_payer,
        )
    _reference_versement_libre(enveloppe=convention.enveloppe, reference=reference)
    Convention.objects.filter(pk=convention.pk).update(modifie_le=Now())
    return [
        versement_create(
            engagement=engagement, montant=part, date=date, reference=ref, by=by, motif=motif, tranche=tranche
        )
        for (engagement, part), ref in zip(parts, _references(reference, len(parts)), strict=True)
    ]
