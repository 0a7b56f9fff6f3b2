"""Conventions in the admin: found and read there, their publication fields completed through the service."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from financements.models import Convention
from tests import grand_livre as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("admin", "a@example.fr", "x"))
    return client


@pytest.fixture
def convention(biovallee, subvention) -> Convention:
    return services.engagement_create(
        projet=biovallee, enveloppe=subvention, montant=Decimal("1000.00"), date="2024-03-01", reference="CP-1",
        motif="Convention", by=None,
    ).convention  # fmt: skip


def test_an_officer_finds_a_convention_and_reads_its_tranches_without_changing_its_money(admin, convention):
    liste = admin.get("/admin/financements/convention/", {"q": "CP-1"})
    assert liste.status_code == 200 and "CP-1" in liste.content.decode()

    page = admin.get(f"/admin/financements/convention/{convention.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "montant" not in form.fields and "beneficiaire" not in form.fields and "date_signature" not in form.fields
    assert set(form.fields) == {
        "objet", "etablissement", "nature_aide", "conditions_versement", "notification_ue", "regime_aide",
        "pourcentage_subvention",
    }  # fmt: skip
    assert f'href="/conventions/{convention.uid}/"' in page.content.decode()
    assert "À la signature" in page.content.decode()  # the tranche, shown read-only
    assert admin.get("/admin/financements/convention/add/").status_code == 403


def champs_caches(page) -> dict[str, str]:
    """The hidden inputs of the change page (the read-only inlines' management forms), as the browser sends them."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.content.decode()))


def test_the_publication_fields_are_completed_through_the_service_and_refusals_stay_on_the_form(admin, convention):
    url = f"/admin/financements/convention/{convention.pk}/change/"
    data = {
        **champs_caches(admin.get(url)), "objet": "Convention", "etablissement": "", "nature_aide": "numeraire",
        "conditions_versement": "unique", "notification_ue": "true", "regime_aide": "", "pourcentage_subvention": "",
    }  # fmt: skip

    refus = admin.post(url, data)

    assert refus.status_code == 200
    assert "nomme son régime d'aides" in " ".join(refus.context["adminform"].form.non_field_errors())
    convention.refresh_from_db()
    assert convention.notification_ue is None

    assert admin.post(url, {**data, "regime_aide": "SA.40405"}).status_code == 302
    convention.refresh_from_db()
    assert (convention.nature_aide, convention.notification_ue, convention.regime_aide) == (
        "numeraire",
        True,
        "SA.40405",
    )
    record = convention.history.latest()
    assert (record.history_user.username, record.history_change_reason) == ("admin", "Convention complétée")
