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
from financements.models import Allocation, Engagement, Enveloppe, Versement
from laureats.models import Projet

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


def _date_valide(date: datetime.date | str, *, apres: datetime.date | None = None, regle: str = "") -> datetime.date:
    """The entry's date lies between the designation of the laureates and today, not before `apres`.

    `regle` says what the entry may not precede, for the refusal's message.
    """
    if isinstance(date, str):
        try:
            date = datetime.date.fromisoformat(date)
        except ValueError as exc:
            raise ValidationError({"date": "Date illisible : AAAA-MM-JJ attendu."}) from exc
    debut = settings.PROGRAMME_DATE_DESIGNATION
    if date < debut:
        raise ValidationError(
            {
                "date": f"Le programme commence le {debut:%d/%m/%Y} avec la désignation des lauréats : "
                f"aucune écriture ne peut être datée du {date:%d/%m/%Y}."
            }
        )
    # The ledger records decisions taken and payments made, never planned ones.
    aujourdhui = timezone.localdate()
    if date > aujourdhui:
        raise ValidationError(
            {
                "date": f"Une écriture ne peut pas être datée dans le futur : {date:%d/%m/%Y}, "
                f"nous sommes le {aujourdhui:%d/%m/%Y}."
            }
        )
    if apres is not None and date < apres:
        raise ValidationError({"date": f"{regle} est daté du {apres:%d/%m/%Y} : l'écriture ne peut pas le précéder."})
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
) -> Engagement:
    """Commit money of an envelope to a project, within the envelope's and the project's ceilings."""
    montant = _montant_valide(montant)
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
) -> Engagement:
    """Release part of a commitment that has not been paid: a new, reasoned entry."""
    montant = _montant_valide(montant)
    engagement = _engagement_origine(engagement)
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
) -> Versement:
    """Pay part of a commitment; the sum paid never exceeds what is still committed."""
    montant = _montant_valide(montant)
    engagement = _engagement_origine(engagement)
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
        return Versement(
            engagement=engagement,
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
