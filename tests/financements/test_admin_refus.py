"""The admin writes through the services when it saves; a refusal comes back on the form, and nothing is written."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.test import Client

from financements.models import Allocation, Engagement, Enveloppe, Versement
from tests import grand_livre as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("admin", "a@example.fr", "x"))
    return client


def test_a_subsidy_commitment_is_refused_next_to_its_envelope(admin, biovallee, subvention):
    # A subsidy is committed by signing its convention (in the portal), not by a bare entry.
    response = admin.post(
        "/admin/financements/engagement/add/",
        {"projet": biovallee.pk, "enveloppe": subvention.pk, "nature": "engagement", "montant": "6000000",
         "date": "2024-01-01", "reference": "ADM", "motif": "Admin"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Une subvention s'engage par une convention" in response.context["adminform"].form.errors["enveloppe"][0]
    assert not Engagement.objects.exists() and not LogEntry.objects.exists()
    assert Allocation.objects.get(projet=biovallee, enveloppe=subvention).montant_engage == 0


def test_an_equity_commitment_beyond_the_potential_is_refused_next_to_its_justification(admin, biovallee):
    investissement = Enveloppe.objects.get(code="investissement")
    response = admin.post(
        "/admin/financements/engagement/add/",
        {"projet": biovallee.pk, "enveloppe": investissement.pk, "nature": "engagement", "montant": "12800000,01",
         "date": "2024-01-01", "reference": "ADM", "motif": "Admin"},
    )  # fmt: skip

    assert response.status_code == 200
    erreurs = response.context["adminform"].form.errors["justification_depassement"][0]
    assert "au-delà du potentiel d'investissement de 12\u202f800\u202f000,00 €" in erreurs
    assert not Engagement.objects.exists() and not LogEntry.objects.exists()
    assert Allocation.objects.get(projet=biovallee, enveloppe=investissement).montant_engage == 0


def test_a_reversal_beyond_the_disbursement_is_refused_and_a_valid_one_is_written(admin, biovallee, subvention):
    engagement = services.engagement_create(
        projet=biovallee, enveloppe=subvention, montant=Decimal("1000.00"), date="2024-03-01", reference="CP-1",
        motif="Convention", by=None,
    )  # fmt: skip
    versement = services.versement_create(
        engagement=engagement, montant=Decimal("400.00"), date="2024-04-01", reference="V-1", by=None
    )
    data = {"engagement": engagement.pk, "nature": "annulation", "versement_origine": versement.pk,
            "date": "2024-05-01", "reference": "A-1", "motif": "Trop-perçu"}  # fmt: skip

    refus = admin.post("/admin/financements/versement/add/", {**data, "montant": "400,01"})
    assert refus.status_code == 200
    assert "On ne peut annuler que 400,00 €" in refus.context["adminform"].form.errors["montant"][0]
    assert Versement.objects.count() == 1

    assert admin.post("/admin/financements/versement/add/", {**data, "montant": "400"}).status_code == 302
    annulation = Versement.objects.get(reference="A-1")
    assert annulation.auteur.username == "admin" and annulation.versement_origine == versement


def test_an_allocation_below_what_is_committed_is_refused_next_to_its_amount(admin, biovallee, subvention):
    services.engagement_create(
        projet=biovallee, enveloppe=subvention, montant=Decimal("1000000.00"), date="2024-03-01",
        reference="CP-1", motif="Convention", by=None,
    )  # fmt: skip
    allocation = Allocation.objects.get(projet=biovallee, enveloppe=subvention)

    refus = admin.post(f"/admin/financements/allocation/{allocation.pk}/change/", {"montant": "999 999,99"})

    assert refus.status_code == 200
    assert refus.context["adminform"].form.errors["montant"] == [
        "Déjà 1\u202f000\u202f000,00 € engagés : le montant ne peut être inférieur."
    ]
    allocation.refresh_from_db()
    assert allocation.montant == Decimal("5700000.00")


def test_an_allocation_changed_in_the_admin_records_who_and_why(admin, biovallee, subvention):
    allocation = Allocation.objects.get(projet=biovallee, enveloppe=subvention)

    assert (
        admin.post(f"/admin/financements/allocation/{allocation.pk}/change/", {"montant": "6 000 000"}).status_code
        == 302
    )

    record = allocation.history.latest()
    assert record.history_user.username == "admin"
    assert record.history_change_reason == "Montant de l'allocation modifié"
