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


def engagement_form(enveloppe, montant: str) -> dict:
    projet = Projet.objects.get(slug="biovallee")
    return {
        "projet": projet.pk, "enveloppe": enveloppe.pk, "nature": "engagement", "montant": montant,
        "date": "2024-01-01", "reference": "ADM", "motif": "Admin",
    }  # fmt: skip


def enveloppe_form(enveloppe: Enveloppe, plafond: str) -> dict:
    return {
        "code": enveloppe.code, "libelle": enveloppe.libelle, "plafond": plafond,
        "plafonne_par_projet": "on" if enveloppe.plafonne_par_projet else "",
    }  # fmt: skip


def test_the_admin_records_a_commitment_typed_the_french_way(admin):
    # Equity: a subsidy is committed by its convention, in the portal.
    investissement = Enveloppe.objects.get(code="investissement")
    response = admin.post("/admin/financements/engagement/add/", engagement_form(investissement, "1\u202f000,50"))

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
    # The convention's commitment is paid tranche by tranche: the admin names the tranche.
    tranche = engagement.convention.tranches.get()
    data = {"engagement": engagement.pk, "tranche": tranche.pk, "nature": "versement", "date": "2024-04-01",
            "reference": "V", "motif": ""}  # fmt: skip

    refus = admin.post("/admin/financements/versement/add/", {**data, "montant": tape})
    assert refus.status_code == 200
    assert refus.context["adminform"].form.errors["montant"][0].startswith(EXEMPLE)
    assert not Versement.objects.exists()

    assert admin.post("/admin/financements/versement/add/", {**data, "montant": "1 000,50"}).status_code == 302
    assert [(v.montant, v.tranche) for v in Versement.objects.all()] == [(Decimal("1000.50"), tranche)]


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


def test_a_disbursement_of_a_convention_without_its_tranche_is_refused_next_to_the_tranche(admin, subvention):
    engagement = services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=subvention, montant=Decimal("1000.00"),
        date="2024-03-01", reference="CP-1", motif="Convention", by=None,
    )  # fmt: skip
    data = {"engagement": engagement.pk, "nature": "versement", "montant": "10", "date": "2024-04-01",
            "reference": "V", "motif": ""}  # fmt: skip

    refus = admin.post("/admin/financements/versement/add/", data)

    assert refus.status_code == 200
    assert "un versement paie une tranche" in refus.context["adminform"].form.errors["tranche"][0]
    assert not Versement.objects.exists()
