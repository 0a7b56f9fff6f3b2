"""The admin's amount fields read French amounts like the portal and refuse the same ambiguities."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from financements.models import Allocation, Engagement, Enveloppe, Versement
from laureats.models import Projet
from tests import grand_livre as services

pytestmark = pytest.mark.django_db

EXEMPLE = "Saisissez un montant en euros, par exemple 1\u202f000,50"
REFUSES = ["1.000.000", "1e3", "\uff11\uff12\uff13", "\u0661\u0662\u0663", "NaN", "1,000.50"]


@pytest.fixture
def admin() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("admin", "a@example.fr", "x"))
    return client


def engagement_form(subvention, montant: str) -> dict:
    projet = Projet.objects.get(slug="biovallee")
    return {
        "projet": projet.pk, "enveloppe": subvention.pk, "nature": "engagement", "montant": montant,
        "date": "2024-01-01", "reference": "ADM", "motif": "Admin",
    }  # fmt: skip


def enveloppe_form(enveloppe: Enveloppe, plafond: str) -> dict:
    return {
        "code": enveloppe.code, "libelle": enveloppe.libelle, "plafond": plafond,
        "plafonne_par_projet": "on" if enveloppe.plafonne_par_projet else "",
    }  # fmt: skip


def test_the_admin_records_a_commitment_typed_the_french_way(admin, subvention):
    response = admin.post("/admin/financements/engagement/add/", engagement_form(subvention, "1\u202f000,50"))

    assert response.status_code == 302
    assert [e.montant for e in Engagement.objects.all()] == [Decimal("1000.50")]


@pytest.mark.parametrize("tape", REFUSES)
def test_the_admin_refuses_an_ambiguous_commitment_and_writes_nothing(admin, subvention, tape):
    response = admin.post("/admin/financements/engagement/add/", engagement_form(subvention, tape))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["montant"][0].startswith(EXEMPLE)
    assert not Engagement.objects.exists()


@pytest.mark.parametrize("tape", REFUSES)
def test_the_admin_refuses_an_ambiguous_disbursement_and_writes_nothing(admin, subvention, tape):
    engagement = services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=subvention, montant=Decimal("1000000.00"),
        date="2024-03-01", reference="CP-1", motif="Convention", by=None,
    )  # fmt: skip
    data = {"engagement": engagement.pk, "nature": "versement", "date": "2024-04-01", "reference": "V", "motif": ""}

    refus = admin.post("/admin/financements/versement/add/", {**data, "montant": tape})
    assert refus.status_code == 200
    assert refus.context["adminform"].form.errors["montant"][0].startswith(EXEMPLE)
    assert not Versement.objects.exists()

    assert admin.post("/admin/financements/versement/add/", {**data, "montant": "1 000,50"}).status_code == 302
    assert [v.montant for v in Versement.objects.all()] == [Decimal("1000.50")]


def test_the_admin_changes_an_allocation_and_a_ceiling_typed_the_french_way(admin, subvention):
    allocation = Allocation.objects.get(projet__slug="biovallee", enveloppe=subvention)

    assert (
        admin.post(f"/admin/financements/allocation/{allocation.pk}/change/", {"montant": "6 000 000,50"}).status_code
        == 302
    )
    allocation.refresh_from_db()
    assert allocation.montant == Decimal("6000000.50")

    reponse = admin.post(
        f"/admin/financements/enveloppe/{subvention.pk}/change/", enveloppe_form(subvention, "150\u00a0000\u00a0000,00")
    )
    assert reponse.status_code == 302
    subvention.refresh_from_db()
    assert subvention.plafond == Decimal("150000000.00")


@pytest.mark.parametrize("tape", REFUSES)
def test_the_admin_refuses_an_ambiguous_ceiling_or_allocation(admin, subvention, tape):
    allocation = Allocation.objects.get(projet__slug="biovallee", enveloppe=subvention)
    plafond, montant = subvention.plafond, allocation.montant

    refus = admin.post(f"/admin/financements/enveloppe/{subvention.pk}/change/", enveloppe_form(subvention, tape))
    assert refus.context["adminform"].form.errors["plafond"][0].startswith(EXEMPLE)
    refus = admin.post(f"/admin/financements/allocation/{allocation.pk}/change/", {"montant": tape})
    assert refus.context["adminform"].form.errors["montant"][0].startswith(EXEMPLE)

    subvention.refresh_from_db()
    allocation.refresh_from_db()
    assert (subvention.plafond, allocation.montant) == (plafond, montant)
