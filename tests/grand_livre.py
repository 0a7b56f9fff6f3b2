"""The ledger's services as the ledger tests call them, subsidies going through conventions.

Since conventions, a subsidy is committed by signing a convention, released by an
amendment and paid tranche by tranche. The ledger's rules (ceilings, references,
dates, immutability, races) are the same whatever the envelope; these wrappers let
the tests that check them write a subsidy commitment as one call: a convention with
the project's lead, one tranche of the whole amount at its date.
"""

from decimal import Decimal

from financements import services
from financements.models import Engagement, Enveloppe
from financements.services import *  # noqa: F403 (the rest of the services, unchanged)


def engagement_create(*, projet, enveloppe, montant, date, reference, motif, by, **kwargs) -> Engagement:
    if enveloppe.code != Enveloppe.Code.SUBVENTION or "convention" in kwargs:
        return services.engagement_create(
            projet=projet, enveloppe=enveloppe, montant=montant, date=date, reference=reference, motif=motif, by=by,
            **kwargs,
        )  # fmt: skip
    try:
        convention = services.convention_create(
            projet=projet,
            beneficiaire=projet.chef_de_file,
            objet=(motif or "Convention")[:256],
            date_signature=date,
            reference=reference,
            montant=montant,
            tranches=[{"date_prevue": date, "montant": montant, "condition": "À la signature"}],
            by=by,
        )
    except services.ValidationError as refus:
        # The convention's date is the commitment's: its refusal is the one the tests expect on `date`.
        if hasattr(refus, "error_dict") and "date_signature" in refus.error_dict:
            refus.error_dict["date"] = refus.error_dict.pop("date_signature")
        raise
    return convention.ecritures.get(nature=Engagement.Nature.ENGAGEMENT)


def desengagement_create(*, engagement, montant, date, reference, motif, by) -> Engagement:
    if engagement.convention_id is None:
        return services.desengagement_create(
            engagement=engagement, montant=montant, date=date, reference=reference, motif=motif, by=by
        )
    avenant = services.avenant_create(
        convention=engagement.convention, variation=-Decimal(str(montant)), date=date, reference=reference,
        motif=motif, by=by,
    )  # fmt: skip
    return avenant.ecritures.get()


def versement_create(*, engagement, montant, date, reference, by, motif="") -> "services.Versement":
    tranche = None
    if engagement.convention_id is not None:
        tranche = engagement.convention.tranches.order_by("numero").first()
    return services.versement_create(
        engagement=engagement, montant=montant, date=date, reference=reference, by=by, motif=motif, tranche=tranche
    )
