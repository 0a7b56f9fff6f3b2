"""The ledger services: commitments, releases, disbursements, reversals and their ceilings."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from financements.models import Allocation, Engagement, Enveloppe, Versement
from laureats.models import Projet
from tests import grand_livre as services
from tests.factories import compte

pytestmark = pytest.mark.django_db
JOUR = datetime.date(2024, 3, 1)
NUMEROS = itertools.count(1)


@pytest.fixture
def charge():
    return compte("charge")


@pytest.fixture
def biovallee():
    return Projet.objects.get(slug="biovallee")


def enveloppe(code: str) -> Enveloppe:
    return Enveloppe.objects.get(code=code)


def engager(projet, code, montant, by, **kwargs):
    # A reference names one decision in its envelope: each call gets its own.
    return services.engagement_create(
        projet=projet, enveloppe=enveloppe(code), montant=Decimal(montant), date=JOUR,
        reference=kwargs.pop("reference", f"DEC-{next(NUMEROS)}"), motif="Convention signée", by=by, **kwargs,
    )  # fmt: skip


def test_a_commitment_updates_the_project_and_envelope_totals_and_records_its_audit(biovallee, charge):
    engagement = engager(biovallee, "subvention", "1000000.00", charge)

    allocation = Allocation.objects.get(projet=biovallee, enveloppe__code="subvention")
    assert allocation.montant_engage == Decimal("1000000.00")
    assert enveloppe("subvention").montant_engage == Decimal("1000000.00")
    assert (engagement.engage_projet_avant, engagement.engage_projet_apres) == (0, Decimal("1000000.00"))
    assert engagement.auteur == charge
    assert engagement.history.first().history_type == "+"


def test_it_refuses_a_subsidy_commitment_over_the_projects_planned_subsidy(biovallee, charge):
    engager(biovallee, "subvention", "5000000.00", charge)

    with pytest.raises(services.PlafondDepasse) as excinfo:
        engager(biovallee, "subvention", "700000.01", charge)

    assert excinfo.value.reste == Decimal("700000.00")
    assert "il reste 700\u202f000,00 €" in excinfo.value.message
    assert Engagement.objects.filter(projet=biovallee).count() == 1


def test_it_refuses_a_commitment_over_the_envelope(biovallee, charge):
    Enveloppe.objects.filter(code="subvention").update(plafond=Decimal("2000000.00"))

    engager(biovallee, "subvention", "1500000.00", charge)
    with pytest.raises(services.PlafondDepasse) as excinfo:
        engager(biovallee, "subvention", "600000.00", charge)

    assert excinfo.value.reste == Decimal("500000.00")
    assert enveloppe("subvention").montant_engage == Decimal("1500000.00")
    # The failed attempt left nothing behind, not even on the project's allocation.
    assert Allocation.objects.get(projet=biovallee, enveloppe__code="subvention").montant_engage == Decimal(
        "1500000.00"
    )


def test_equity_beyond_the_investment_potential_needs_a_justification_and_is_flagged(biovallee, charge):
    with pytest.raises(ValidationError) as excinfo:
        engager(biovallee, "investissement", "13000000.00", charge)
    assert "justification_depassement" in excinfo.value.message_dict

    engagement = engager(
        biovallee, "investissement", "13000000.00", charge, justification_depassement="Tour de table élargi."
    )
    assert engagement.depasse_potentiel is True


@pytest.mark.parametrize("montant", ["0", "-10", "10.001", "NaN", "abc"])
def test_it_refuses_a_non_positive_or_malformed_amount(biovallee, charge, montant):
    with pytest.raises(ValidationError) as excinfo:
        services.engagement_create(
            projet=biovallee, enveloppe=enveloppe("subvention"), montant=montant, date=JOUR,
            reference="X", motif="Y", by=charge,
        )  # fmt: skip
    assert "montant" in excinfo.value.message_dict
    assert not Engagement.objects.exists()


def test_a_disbursement_never_exceeds_what_is_left_on_the_commitment(biovallee, charge):
    engagement = engager(biovallee, "subvention", "1000.00", charge)
    services.versement_create(engagement=engagement, montant=Decimal("600.00"), date=JOUR, reference="V1", by=charge)

    with pytest.raises(services.PlafondDepasse) as excinfo:
        services.versement_create(
            engagement=engagement, montant=Decimal("400.01"), date=JOUR, reference="V2", by=charge
        )
    assert excinfo.value.reste == Decimal("400.00")
    assert enveloppe("subvention").montant_verse == Decimal("600.00")


def test_a_release_frees_only_the_unpaid_part_and_is_a_new_reasoned_entry(biovallee, charge):
    engagement = engager(biovallee, "subvention", "1000.00", charge)
    services.versement_create(engagement=engagement, montant=Decimal("300.00"), date=JOUR, reference="V1", by=charge)

    with pytest.raises(services.PlafondDepasse):
        services.desengagement_create(
            engagement=engagement, montant=Decimal("700.01"), date=JOUR, reference="D1", motif="Abandon", by=charge
        )
    desengagement = services.desengagement_create(
        engagement=engagement, montant=Decimal("700.00"), date=JOUR, reference="D1", motif="Abandon", by=charge
    )

    assert desengagement.nature == "desengagement" and desengagement.engagement_origine == engagement
    assert enveloppe("subvention").montant_engage == Decimal("300.00")
    engagement.refresh_from_db()
    assert engagement.montant == Decimal("1000.00")  # the original entry is untouched
    # Nothing is left to pay on it now.
    with pytest.raises(services.PlafondDepasse):
        services.versement_create(engagement=engagement, montant=Decimal("0.01"), date=JOUR, reference="V2", by=charge)


def test_a_release_needs_a_reason(biovallee, charge):
    engagement = engager(biovallee, "subvention", "1000.00", charge)
    with pytest.raises(ValidationError) as excinfo:
        services.desengagement_create(
            engagement=engagement, montant=Decimal("1.00"), date=JOUR, reference="D", motif=" ", by=charge
        )
    assert "motif" in excinfo.value.message_dict


def test_a_reversed_disbursement_can_be_paid_again(biovallee, charge):
    engagement = engager(biovallee, "subvention", "1000.00", charge)
    versement = services.versement_create(
        engagement=engagement, montant=Decimal("1000.00"), date=JOUR, reference="V1", by=charge
    )

    services.versement_cancel(
        versement=versement, montant=Decimal("250.00"), date=JOUR, reference="A1", motif="Trop-perçu", by=charge
    )
    with pytest.raises(services.PlafondDepasse):
        services.versement_cancel(
            versement=versement, montant=Decimal("750.01"), date=JOUR, reference="A2", motif="Erreur", by=charge
        )
    services.versement_create(engagement=engagement, montant=Decimal("250.00"), date=JOUR, reference="V2", by=charge)

    assert enveloppe("subvention").montant_verse == Decimal("1000.00")


def test_the_running_totals_equal_the_sums_of_the_ledger(biovallee, charge):
    vilagil = Projet.objects.get(slug="vilagil")
    e1 = engager(biovallee, "subvention", "5000.00", charge)
    e2 = engager(vilagil, "subvention", "7000.00", charge)
    engager(vilagil, "investissement", "100000.00", charge)
    services.versement_create(engagement=e1, montant=Decimal("1000.00"), date=JOUR, reference="V", by=charge)
    services.desengagement_create(
        engagement=e2, montant=Decimal("2000.00"), date=JOUR, reference="D", motif="M", by=charge
    )

    for env in Enveloppe.objects.all():
        engage = Engagement.objects.filter(enveloppe=env, nature="engagement").aggregate(s=Sum("montant"))["s"] or 0
        libere = Engagement.objects.filter(enveloppe=env, nature="desengagement").aggregate(s=Sum("montant"))["s"] or 0
        verse = Versement.objects.filter(engagement__enveloppe=env).aggregate(s=Sum("montant"))["s"] or 0
        assert env.montant_engage == engage - libere
        assert env.montant_verse == verse


def test_the_database_refuses_a_total_past_the_ceiling_whatever_path_the_write_takes(postgresql):
    with pytest.raises(IntegrityError), transaction.atomic():
        Enveloppe.objects.filter(code="subvention").update(montant_engage=Decimal("150000000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.filter(projet__slug="biovallee", enveloppe__code="subvention").update(
            montant_engage=Decimal("5700000.01")
        )


def test_the_database_refuses_to_edit_or_delete_a_ledger_entry(postgresql, biovallee, charge):
    engagement = engager(biovallee, "subvention", "1000.00", charge)
    services.versement_create(engagement=engagement, montant=Decimal("1.00"), date=JOUR, reference="V", by=charge)

    with pytest.raises(IntegrityError, match="immuable"), transaction.atomic():
        Engagement.objects.filter(pk=engagement.pk).update(montant=Decimal("1.00"))
    with pytest.raises(IntegrityError, match="immuable"), transaction.atomic():
        Versement.objects.all().delete()
    assert Engagement.objects.get(pk=engagement.pk).montant == Decimal("1000.00")


def test_an_allocation_change_keeps_who_and_the_values_before_and_after(biovallee, charge):
    allocation = Allocation.objects.get(projet=biovallee, enveloppe__code="subvention")

    services.allocation_update(allocation=allocation, montant=Decimal("6000000.00"), by=charge)

    latest, previous = allocation.history.all()[:2]
    assert latest.history_user == charge
    assert (previous.montant, latest.montant) == (Decimal("5700000.00"), Decimal("6000000.00"))


def test_an_allocation_change_says_why_in_the_history(biovallee, charge):
    allocation = Allocation.objects.get(projet=biovallee, enveloppe__code="subvention")

    services.allocation_update(allocation=allocation, montant=Decimal("6000000.00"), by=charge)

    assert allocation.history.latest().history_change_reason == "Montant de l'allocation modifié"


def test_an_allocation_cannot_drop_below_what_is_committed(biovallee, charge):
    engager(biovallee, "subvention", "5000000.00", charge)
    allocation = Allocation.objects.get(projet=biovallee, enveloppe__code="subvention")

    with pytest.raises(ValidationError):
        services.allocation_update(allocation=allocation, montant=Decimal("4999999.99"), by=charge)
