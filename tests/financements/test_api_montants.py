"""The ledger API keeps its decimal-string contract and refuses what Decimal() would silently read."""

from decimal import Decimal

import pytest
from django.test import Client

from financements.models import Engagement, Enveloppe, Tranche, Versement
from laureats.models import Projet
from tests import grand_livre as services
from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db

ILLISIBLES = [
    "1e3", "1E3", "1e-2", "NaN", "Infinity", "-Infinity", "\uff11\uff10\uff10\uff10", "\u0661\u0660\u0660\u0660",
    "1_000", "1 000,50", "1000,50",
]  # fmt: skip


@pytest.fixture
def charge() -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {jeton(compte('charge'))}")


@pytest.fixture
def engagement() -> Engagement:
    # Investment: a subsidy is committed, released and paid through its convention (the "paiement" write).
    return services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=Enveloppe.objects.get(code="investissement"),
        montant=Decimal("1000000.00"), date="2024-03-01", reference="CP-1", motif="Apport en fonds propres", by=None,
    )  # fmt: skip


@pytest.fixture
def tranche() -> Tranche:
    projet = Projet.objects.get(slug="biovallee")
    convention = services.convention_create(
        projet=projet, beneficiaire=projet.chef_de_file, objet="Convention", date_signature="2024-03-01",
        reference="CONV-1", montant=Decimal("1000000.00"), by=None,
        tranches=[{"date_prevue": "2024-03-01", "montant": Decimal("1000000.00"), "condition": "À la signature"}],
    )  # fmt: skip
    return convention.tranches.get()


def ecritures() -> tuple[int, int]:
    return Engagement.objects.count(), Versement.objects.count()


def _requetes(engagement: Engagement, tranche: Tranche) -> dict:
    versement = services.versement_create(
        engagement=engagement, montant=Decimal("500000.00"), date="2024-04-01", reference="V-1", by=None
    )
    commun = {"date": "2024-05-01", "reference": "R-1", "motif": "Motif"}
    return {
        "engagement": ("/api/v1/engagements/", {"projet": "biovallee", "enveloppe": "investissement", **commun}),
        "versement": ("/api/v1/versements/", {"engagement": str(engagement.uid), **commun}),
        "desengagement": (f"/api/v1/engagements/{engagement.uid}/desengagements/", commun),
        "annulation": (f"/api/v1/versements/{versement.uid}/annulations/", commun),
        "paiement": (f"/api/v1/tranches/{tranche.pk}/versements/", commun),
    }


@pytest.mark.parametrize("ecriture", ["engagement", "versement", "desengagement", "annulation", "paiement"])
@pytest.mark.parametrize("montant", ILLISIBLES)
def test_an_exponent_a_foreign_digit_or_a_non_number_is_a_400_naming_the_amount(
    charge, engagement, tranche, ecriture, montant
):
    url, donnees = _requetes(engagement, tranche)[ecriture]
    avant = ecritures()

    response = charge.post(url, {**donnees, "montant": montant}, content_type="application/json")

    assert response.status_code == 400
    assert "Un nombre décimal est attendu" in response.json()["errors"]["montant"][0]
    assert ecritures() == avant


@pytest.mark.parametrize("ecriture", ["engagement", "versement", "desengagement", "annulation", "paiement"])
def test_the_canonical_decimal_string_is_still_the_contract(charge, engagement, tranche, ecriture):
    url, donnees = _requetes(engagement, tranche)[ecriture]

    response = charge.post(url, {**donnees, "montant": "1000.50"}, content_type="application/json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body[0] if ecriture == "paiement" else body)["montant"] == "1000.50"
