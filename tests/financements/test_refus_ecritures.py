"""What the ledger services say when they refuse an entry: the field, and the exact French sentence.

The HTML forms and the API show these sentences as they are, next to the
field they name; a word lost or a field renamed is a refusal the officer can
no longer read, or one shown on no field at all.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from financements.models import Allocation, Engagement, Enveloppe, Versement
from laureats.models import Projet
from tests import grand_livre as services

pytestmark = pytest.mark.django_db
JOUR = datetime.date(2024, 3, 1)
NNBSP = "\u202f"  # the thousands separator of the amounts in messages


def engager(projet, enveloppe, *, montant="1000.00", date=JOUR, reference="CP-1") -> Engagement:
    return services.engagement_create(
        projet=projet, enveloppe=enveloppe, montant=montant, date=date, reference=reference,
        motif="Convention signée", by=None,
    )  # fmt: skip


def refus(ecrire) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        ecrire()
    return excinfo.value.message_dict


# --- Amounts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("montant", "message"),
    [
        ("0", "Le montant doit être strictement positif."),
        ("0.00", "Le montant doit être strictement positif."),
        ("-10", "Le montant doit être strictement positif."),
        (Decimal("-0.01"), "Le montant doit être strictement positif."),
        ("10.001", "Le montant a au plus deux décimales (centimes)."),
        (Decimal("0.001"), "Le montant a au plus deux décimales (centimes)."),
        ("abc", "Montant illisible."),
        ("NaN", "Montant illisible."),
        (Decimal("Infinity"), "Montant illisible."),
    ],
)
def test_a_refused_amount_is_explained_on_the_amount_field(biovallee, subvention, montant, message):
    assert refus(lambda: engager(biovallee, subvention, montant=montant)) == {"montant": [message]}
    assert not Engagement.objects.exists()


@pytest.mark.parametrize("montant", ["0.01", "1", "1.00", 1])
def test_the_smallest_amounts_are_accepted_whether_given_as_text_a_number_or_a_decimal(biovallee, subvention, montant):
    engagement = engager(biovallee, subvention, montant=montant)

    assert engagement.montant == Decimal(str(montant))
    assert Enveloppe.objects.get(pk=subvention.pk).montant_engage == Decimal(str(montant))


# --- Dates ------------------------------------------------------------------------------


def test_a_date_given_as_iso_text_is_read_as_that_day(biovallee, subvention):
    engagement = engager(biovallee, subvention, date="2024-03-01")

    assert Engagement.objects.get(pk=engagement.pk).date == datetime.date(2024, 3, 1)


@pytest.mark.parametrize("date", ["01/03/2024", "2024-02-30", ""])
def test_an_unreadable_date_is_refused_on_the_date_field(biovallee, subvention, date):
    # A subsidy is committed by its convention, dated by its signature (tests/grand_livre.py names it `date`).
    assert refus(lambda: engager(biovallee, subvention, date=date)) == {
        "date": ["Date illisible : AAAA-MM-JJ attendu."]
    }
    assert refus(lambda: engager(biovallee, Enveloppe.objects.get(code="investissement"), date=date)) == {
        "date": ["Date illisible : AAAA-MM-JJ attendu."]
    }
    assert not Engagement.objects.exists()


# --- References -------------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["", "   "])
def test_a_blank_reference_is_refused_on_the_reference_field(biovallee, subvention, reference):
    assert refus(lambda: engager(biovallee, subvention, reference=reference)) == {
        "reference": ["La référence est obligatoire."]
    }


def test_a_reference_is_recorded_without_the_spaces_around_it(biovallee, subvention):
    engagement = engager(biovallee, subvention, reference="  CP-7 ")

    assert Engagement.objects.get(pk=engagement.pk).reference == "CP-7"


# --- Only a commitment is released or paid ----------------------------------------------


def test_a_release_can_be_neither_paid_nor_released_again(biovallee):
    # Equity: a subsidy's commitment is released by an amendment to its convention, never by hand.
    investissement = Enveloppe.objects.get(code="investissement")
    engagement = engager(biovallee, investissement, montant="1000.00")
    desengagement = services.desengagement_create(
        engagement=engagement, montant=Decimal("400.00"), date=JOUR, reference="D-1", motif="Abandon", by=None
    )
    attendu = {"engagement": ["Seul un engagement (pas un désengagement) peut être libéré ou payé."]}

    assert (
        refus(
            lambda: services.versement_create(
                engagement=desengagement, montant=Decimal("1.00"), date=JOUR, reference="V-1", by=None
            )
        )
        == attendu
    )
    assert (
        refus(
            lambda: services.desengagement_create(
                engagement=desengagement, montant=Decimal("1.00"), date=JOUR, reference="D-2", motif="M", by=None
            )
        )
        == attendu
    )
    assert not Versement.objects.exists()
    # 1 000.00 committed, 400.00 released: nothing else moved.
    assert Enveloppe.objects.get(pk=investissement.pk).montant_engage == Decimal("600.00")
    assert Enveloppe.objects.get(pk=investissement.pk).montant_verse == 0


# --- A project outside an envelope ------------------------------------------------------


def test_a_commitment_for_a_project_without_allocation_in_the_envelope_is_refused_on_the_envelope(biovallee):
    investissement = Enveloppe.objects.get(code="investissement")
    Allocation.objects.filter(projet=biovallee, enveloppe=investissement).delete()

    assert refus(lambda: engager(biovallee, investissement)) == {
        "enveloppe": [
            f"Le projet « {biovallee.titre} » n'a pas d'allocation dans l'enveloppe "
            "« Investissement en fonds propres (investissement avisé) »."
        ]
    }
    assert Enveloppe.objects.get(pk=investissement.pk).montant_engage == 0


# --- Ceilings ---------------------------------------------------------------------------


def test_the_envelope_ceiling_refusal_gives_what_is_left_the_ceiling_and_the_amount_asked(biovallee, subvention):
    Enveloppe.objects.filter(pk=subvention.pk).update(plafond=Decimal("2000000.00"))
    engager(biovallee, subvention, montant=Decimal("1500000.00"), reference="CP-1")

    with pytest.raises(services.PlafondDepasse) as excinfo:
        engager(biovallee, subvention, montant=Decimal("600000.00"), reference="CP-2")

    # 2 000 000.00 − 1 500 000.00 left to commit.
    message = (
        f"Plafond de l'enveloppe « Subventions » dépassé : il reste 500{NNBSP}000,00 € à engager "
        f"sur 2{NNBSP}000{NNBSP}000,00 €, le montant demandé est de 600{NNBSP}000,00 €."
    )
    assert excinfo.value.message == message
    assert excinfo.value.reste == Decimal("500000.00")
    # Logs and tracebacks print the exception itself: it reads as the same sentence.
    assert str(excinfo.value) == message


def test_the_envelope_refusal_counts_what_the_envelope_holds_for_every_project(biovallee, subvention):
    vilagil = Projet.objects.get(slug="vilagil")
    Enveloppe.objects.filter(pk=subvention.pk).update(plafond=Decimal("3000000.00"))
    engager(vilagil, subvention, montant=Decimal("2000000.00"), reference="CP-V")

    with pytest.raises(services.PlafondDepasse) as excinfo:
        engager(biovallee, subvention, montant=Decimal("1000000.01"), reference="CP-B")

    # 3 000 000.00 − 2 000 000.00 committed on Vilagil.
    assert excinfo.value.reste == Decimal("1000000.00")
    assert f"il reste 1{NNBSP}000{NNBSP}000,00 € à engager sur 3{NNBSP}000{NNBSP}000,00 €" in excinfo.value.message
