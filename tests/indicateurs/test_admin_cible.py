"""The admin corrects an indicator's target through indicateur_update, like the indicator's page.

Posted as a browser would post the change form: an unchanged save writes nothing, a change is
one history row with its author and reason, a refusal is a form error and writes nothing.
"""

import datetime
from decimal import Decimal

import pytest

from indicateurs import services
from indicateurs.models import Indicateur
from tests.indicateurs.factories import compte
from tests.laureats.test_admin_fiche import avec, envoyer, formulaire_de_la_fiche

pytestmark = pytest.mark.django_db

CODE = "biovallee-production-energie-locale"


@pytest.fixture
def indicateur() -> Indicateur:
    return Indicateur.objects.get(code=CODE)


@pytest.fixture
def url(indicateur) -> str:
    return f"/admin/indicateurs/indicateur/{indicateur.pk}/change/"


def test_saving_a_target_unchanged_in_the_admin_writes_nothing(admin_client, indicateur, url):
    avant, historique = list(Indicateur.objects.filter(pk=indicateur.pk).values()), indicateur.history.count()

    assert envoyer(admin_client, url, formulaire_de_la_fiche(admin_client, url)).status_code == 302

    assert list(Indicateur.objects.filter(pk=indicateur.pk).values()) == avant
    assert indicateur.history.count() == historique


def test_a_target_typed_the_french_way_is_one_history_row_with_its_reason(admin_client, admin_user, indicateur, url):
    formulaire = avec(formulaire_de_la_fiche(admin_client, url), valeur_cible="1 250,5")

    assert envoyer(admin_client, url, formulaire).status_code == 302

    record = indicateur.history.latest()
    assert (record.valeur_cible, record.history_user, record.history_change_reason) == (
        Decimal("1250.5"), admin_user, "Cible modifiée dans le portail"
    )  # fmt: skip


def test_a_unit_the_recorded_values_would_leave_is_refused_on_the_form(admin_client, indicateur, url):
    services.mesure_submit(
        indicateur=indicateur, date=datetime.date(2024, 12, 31), valeur=Decimal("412"), source="Relevé",
        by=compte("partenaire"),
    )  # fmt: skip
    historique = indicateur.history.count()

    response = envoyer(admin_client, url, avec(formulaire_de_la_fiche(admin_client, url), unite="%"))

    assert response.status_code == 200
    assert "n&#x27;y entrerait plus" in response.content.decode()
    assert Indicateur.objects.get(pk=indicateur.pk).unite == indicateur.unite
    assert indicateur.history.count() == historique


def test_indicators_come_from_the_fixtures_not_from_the_admin(admin_client, indicateur):
    assert admin_client.get("/admin/indicateurs/indicateur/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/indicateurs/indicateur/{indicateur.pk}/delete/", {"post": "yes"}).status_code == 403
    )
