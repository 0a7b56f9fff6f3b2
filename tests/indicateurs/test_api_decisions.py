"""POST /api/v1/mesures/{uid}/valider/ and /rejeter/: programme officers decide, once."""

import pytest

from indicateurs.models import Indicateur, Mesure
from tests.indicateurs.factories import MesureFactory, compte, entetes

pytestmark = pytest.mark.django_db


def _url(mesure, action: str) -> str:
    return f"/api/v1/mesures/{mesure.uid}/{action}/"


@pytest.fixture
def charge():
    return compte("charge")


def test_an_officer_validates_a_submitted_measurement(api_client, charge):
    mesure = MesureFactory()

    response = api_client.post(_url(mesure, "valider"), {}, content_type="application/json", **entetes(charge))

    assert response.status_code == 200
    assert response.json()["statut"] == "validee"
    mesure.refresh_from_db()
    assert (mesure.statut, mesure.decision_par) == (Mesure.Statut.VALIDEE, charge)
    assert mesure.decision_le is not None
    assert mesure.history.first().history_user == charge


def test_an_officer_rejects_with_a_comment_the_partner_can_read(api_client, charge):
    partenaire = compte("partenaire")
    mesure = MesureFactory(indicateur=Indicateur.objects.get(code="biovallee-part-agriculture-bio"), auteur=partenaire)

    response = api_client.post(
        _url(mesure, "rejeter"), {"commentaire": "Source non vérifiable."}, content_type="application/json",
        **entetes(charge),
    )  # fmt: skip

    assert response.status_code == 200
    lue = api_client.get(f"/api/v1/mesures/{mesure.uid}/", **entetes(partenaire)).json()
    assert (lue["statut"], lue["commentaire"]) == ("rejetee", "Source non vérifiable.")


def test_a_rejection_without_a_comment_is_a_400(api_client, charge):
    mesure = MesureFactory()
    response = api_client.post(_url(mesure, "rejeter"), {}, content_type="application/json", **entetes(charge))
    assert response.status_code == 400
    assert response.json()["errors"]["commentaire"] == ["Un rejet est toujours motivé."]


def test_a_decision_is_final(api_client, charge):
    mesure = MesureFactory(validee=True)
    response = api_client.post(_url(mesure, "rejeter"), {"commentaire": "Non"}, content_type="application/json",
                               **entetes(charge))  # fmt: skip
    assert response.status_code == 400
    assert "déjà validée" in response.json()["errors"]["statut"][0]


@pytest.mark.parametrize("role", ["partenaire", "directeur"])
def test_only_officers_decide(api_client, role):
    mesure = MesureFactory()
    response = api_client.post(_url(mesure, "valider"), {}, content_type="application/json", **entetes(compte(role)))
    assert response.status_code == 403
    assert Mesure.objects.get(pk=mesure.pk).statut == Mesure.Statut.SOUMISE


def test_an_anonymous_decision_is_a_401(api_client):
    assert api_client.post(_url(MesureFactory(), "valider")).status_code == 401


def test_an_unknown_measurement_is_a_404(api_client, charge):
    url = "/api/v1/mesures/7a6b1c52-0000-4000-8000-000000000000/valider/"
    assert api_client.post(url, {}, content_type="application/json", **entetes(charge)).status_code == 404


def test_a_get_on_a_decision_is_a_405(api_client, charge):
    assert api_client.get(_url(MesureFactory(), "valider"), **entetes(charge)).status_code == 405
