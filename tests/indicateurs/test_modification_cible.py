"""Officers correct an indicator's structured target in the portal, through the service."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from indicateurs.models import Indicateur
from tests.factories import compte

pytestmark = pytest.mark.django_db
CODE = "biovallee-part-agriculture-bio"
URL = f"/indicateurs/{CODE}/modifier/"


def logged_in(role: str) -> Client:
    client = Client()
    client.force_login(compte(role))
    return client


def form_data(**overrides) -> dict:
    indicateur = Indicateur.objects.get(code=CODE)
    data = {
        "libelle": indicateur.libelle, "unite": indicateur.unite, "sens": indicateur.sens,
        "valeur_reference": "", "date_reference": "", "valeur_cible": "80", "echeance": "2030-12-31", "note": "",
        "frequence": "annuelle",
    }  # fmt: skip
    return {**data, **overrides}


def test_an_officer_corrects_a_target_and_the_change_is_in_its_history():
    client = logged_in("charge")

    response = client.post(URL, form_data(valeur_cible="85"))

    assert response.status_code == 302
    indicateur = Indicateur.objects.get(code=CODE)
    assert indicateur.valeur_cible == Decimal("85")
    record = indicateur.history.first()
    assert (
        record.history_user.profil.role == "charge" and record.history_change_reason == "Cible modifiée dans le portail"
    )


def test_bad_input_gets_french_errors_next_to_the_field_and_nothing_changes():
    response = logged_in("charge").post(URL, form_data(valeur_cible="beaucoup", echeance="2030-13-45"))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"valeur_cible", "echeance"}
    assert Indicateur.objects.get(code=CODE).valeur_cible == Decimal("80")


@pytest.mark.parametrize("role", ["directeur", "partenaire"])
def test_other_roles_get_a_403_and_see_no_edit_link(role):
    client = logged_in(role)
    assert client.get(URL).status_code == 403
    assert "Modifier la cible" not in client.get(f"/indicateurs/{CODE}/").content.decode()


def test_an_unknown_indicator_is_a_404():
    assert logged_in("charge").get("/indicateurs/inconnu/modifier/").status_code == 404


def test_an_edited_target_reaches_the_partners_incremental_sync():
    since = timezone.now().isoformat()
    assert Client().get("/api/v1/indicateurs/", {"updated_since": since}).json()["results"] == []

    logged_in("charge").post(URL, form_data(valeur_cible="85"))

    changed = Client().get("/api/v1/indicateurs/", {"updated_since": since}).json()["results"]
    assert [(i["code"], i["valeur_cible"]) for i in changed] == [(CODE, "85.0000")]
