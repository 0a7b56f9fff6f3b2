"""Every historised write says why: accounts, tokens and measurements, in the portal as through the API."""

import datetime

import pytest
from django.test import Client

from comptes.models import JetonAPI, Profil
from comptes.services import jeton_create, jeton_revoke
from indicateurs import services as indicateurs_services
from indicateurs.models import Indicateur, Mesure
from tests.indicateurs.factories import compte, entetes

pytestmark = pytest.mark.django_db

BIOVALLEE = "biovallee-production-energie-locale"  # Association Biovallée leads this project


def motifs(instance) -> list[str]:
    return list(instance.history.order_by("history_id").values_list("history_change_reason", flat=True))


def test_an_account_is_created_with_its_reason():
    user = compte("charge")

    assert motifs(Profil.objects.get(user=user)) == ["Compte créé"]


def test_a_token_is_created_then_revoked_once_each_with_its_reason():
    jeton, _ = jeton_create(user=compte("charge"), nom="tableur")

    jeton_revoke(jeton=jeton)
    revoque_le = JetonAPI.objects.get(pk=jeton.pk).revoque_le
    jeton_revoke(jeton=jeton)

    assert motifs(jeton) == ["Jeton créé", "Jeton révoqué"]
    assert JetonAPI.objects.get(pk=jeton.pk).revoque_le == revoque_le is not None


def test_a_measurement_submitted_through_the_api_records_the_reason_and_the_token():
    partenaire = compte("partenaire")
    client = Client(HTTP_ACCEPT="application/json")

    response = client.post(
        "/api/v1/mesures/",
        {"indicateur": BIOVALLEE, "date": "2024-12-31", "valeur": "412.5", "source": "Observatoire"},
        content_type="application/json",
        **entetes(partenaire),
    )

    assert response.status_code == 201, response.content
    jeton = JetonAPI.objects.get(user=partenaire)
    assert motifs(Mesure.objects.get(uid=response.json()["uid"])) == [f"Mesure soumise (API — jeton « {jeton.nom} »)"]


@pytest.mark.parametrize(
    ("decide", "motif"),
    [(indicateurs_services.mesure_validate, "Mesure validée"), (indicateurs_services.mesure_reject, "Mesure rejetée")],
)
def test_a_decision_on_a_measurement_records_its_reason(decide, motif):
    mesure = indicateurs_services.mesure_submit(
        indicateur=Indicateur.objects.get(code=BIOVALLEE), date=datetime.date(2024, 12, 31), valeur=412,
        source="Observatoire", by=compte("partenaire"),
    )  # fmt: skip

    decide(mesure=mesure, by=compte("charge"), commentaire="Vu")

    assert motifs(mesure) == ["Mesure soumise", motif]
