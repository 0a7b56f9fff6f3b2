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


def test_an_officer_sends_a_measurement_back_for_correction(api_client, charge):
    partenaire = compte("partenaire")
    mesure = MesureFactory(indicateur=Indicateur.objects.get(code="biovallee-part-agriculture-bio"), auteur=partenaire)

    response = api_client.post(
        _url(mesure, "renvoyer"), {"commentaire": "Préciser la source : quel relevé ?"},
        content_type="application/json", **entetes(charge),
    )  # fmt: skip

    assert response.status_code == 200
    lue = response.json()
    assert (lue["statut"], lue["commentaire"]) == ("a_revoir", "Préciser la source : quel relevé ?")
    mesure.refresh_from_db()
    assert (mesure.statut, mesure.decision_par) == (Mesure.Statut.A_REVOIR, charge)
    assert mesure.history.first().history_change_reason.startswith("Mesure renvoyée pour correction")
    lue = api_client.get(f"/api/v1/mesures/{mesure.uid}/", **entetes(partenaire)).json()
    assert lue["statut"] == "a_revoir"


@pytest.mark.parametrize("corps", [{}, {"commentaire": ""}, {"commentaire": "   "}])
def test_sending_back_without_a_comment_is_a_400_in_french(api_client, charge, corps):
    mesure = MesureFactory()
    response = api_client.post(_url(mesure, "renvoyer"), corps, content_type="application/json", **entetes(charge))
    assert response.status_code == 400
    assert response.json()["errors"]["commentaire"][0] in {
        "Un renvoi pour correction dit ce qu'il faut corriger.",
        "Ce champ ne peut être vide.",
        "Ce champ ne peut pas être vide.",
    }
    assert Mesure.objects.get(pk=mesure.pk).statut == Mesure.Statut.SOUMISE


def test_a_measurement_sent_back_cannot_be_sent_back_again(api_client, charge):
    mesure = MesureFactory()
    corps = {"commentaire": "À corriger."}
    api_client.post(_url(mesure, "renvoyer"), corps, content_type="application/json", **entetes(charge))
    response = api_client.post(_url(mesure, "renvoyer"), corps, content_type="application/json", **entetes(charge))
    assert response.status_code == 400
    assert "attend la correction du partenaire" in response.json()["errors"]["statut"][0]


@pytest.mark.parametrize("role", ["partenaire", "directeur"])
def test_only_officers_send_back(api_client, role):
    mesure = MesureFactory()
    response = api_client.post(
        _url(mesure, "renvoyer"), {"commentaire": "Non"}, content_type="application/json", **entetes(compte(role))
    )
    assert response.status_code == 403
    assert Mesure.objects.get(pk=mesure.pk).statut == Mesure.Statut.SOUMISE


def test_sending_back_is_documented_in_the_schema(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/mesures/{uid}/renvoyer/"]["post"]
    assert "correction" in operation["summary"] and {"200", "400", "403"} <= set(operation["responses"])
    assert schema["components"]["schemas"]["Mesure"]["properties"]["statut"]["allOf"] == [
        {"$ref": "#/components/schemas/MesureStatutEnum"}
    ]
    assert schema["components"]["schemas"]["MesureStatutEnum"]["enum"] == ["soumise", "a_revoir", "validee", "rejetee"]
