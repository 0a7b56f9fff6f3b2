"""GET /api/v1/indicateurs/: the structured targets, public, with their latest evaluation."""

import datetime
from decimal import Decimal

import pytest

from indicateurs import services
from indicateurs.models import Indicateur
from tests.indicateurs.factories import IndicateurFactory, MesureFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/indicateurs/"
BIOVALLEE = "/api/v1/indicateurs/biovallee-production-energie-locale/"
LIST_QUERIES = 3  # count, page with impact/project/region, latest evaluations


def test_the_list_is_public_paginated_and_holds_the_101_indicators(api_client):
    body = api_client.get(LIST_URL, {"page_size": 100}).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 101 and len(body["results"]) == 100 and "page=2" in body["next"]
    assert body["results"][0]["code"] == "biovallee-consommation-energie-vallee"


def test_an_indicator_shows_its_structured_target_as_decimal_strings(api_client):
    body = api_client.get(BIOVALLEE).json()

    assert body["projet"] == {"slug": "biovallee", "titre": "BIOVALLÉE", "region": "84"}
    assert body["impact"] == {"ordre": 7, "texte": "Passer de 178 à 790 KWh produits localement ;"}
    assert (body["valeur_reference"], body["valeur_cible"], body["unite"]) == ("178.0000", "790.0000", "kWh")
    assert (body["sens"], body["mode"], body["echeance"], body["date_reference"]) == (
        "hausse",
        "absolu",
        "2030-12-31",
        None,
    )
    assert body["derniere_evaluation"] is None


def test_the_latest_evaluation_is_embedded(api_client):
    indicateur = Indicateur.objects.get(code="biovallee-production-energie-locale")
    MesureFactory(indicateur=indicateur, validee=True, valeur=Decimal("500"), date=datetime.date(2024, 12, 31))
    services.evaluation_run(date=datetime.date(2025, 1, 1))
    services.evaluation_run(date=datetime.date(2025, 6, 30))

    evaluation = api_client.get(BIOVALLEE).json()["derniere_evaluation"]

    assert evaluation["date"] == "2025-06-30"
    assert (evaluation["statut"], evaluation["statut_libelle"]) == ("en_bonne_voie", "En bonne voie")
    assert (evaluation["valeur_mesuree"], evaluation["avancement"]) == ("500.0000", "52.61")


def test_the_evaluation_history_of_an_indicator_is_paginated(api_client):
    for jour in (datetime.date(2024, 1, 1), datetime.date(2025, 1, 1)):
        services.evaluation_run(date=jour)

    body = api_client.get(f"{BIOVALLEE}evaluations/").json()

    assert body["count"] == 2
    assert [e["date"] for e in body["results"]] == ["2025-01-01", "2024-01-01"]


def test_the_list_filters_by_project_and_region(api_client):
    assert api_client.get(LIST_URL, {"projet": "biovallee"}).json()["count"] == 8
    assert api_client.get(LIST_URL, {"region": "53"}).json()["count"] == 14


def test_a_bad_filter_is_a_400_with_the_field_named(api_client):
    response = api_client.get(LIST_URL, {"projet": "atlantide"})
    assert response.status_code == 400
    assert "projet" in response.json()["errors"]


def test_an_unknown_code_is_a_404(api_client):
    assert api_client.get("/api/v1/indicateurs/inconnu/").status_code == 404
    assert api_client.get("/api/v1/indicateurs/inconnu/evaluations/").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_indicators_are_read_only_through_the_api(api_client, method):
    url = LIST_URL if method == "post" else BIOVALLEE
    assert getattr(api_client, method)(url, {}, content_type="application/json").status_code == 405


def test_the_list_query_count_does_not_grow_with_the_number_of_indicators(api_client, django_assert_num_queries):
    services.evaluation_run(date=datetime.date(2025, 1, 1))
    with django_assert_num_queries(LIST_QUERIES):
        api_client.get(LIST_URL, {"page_size": 100})

    IndicateurFactory.create_batch(20)
    with django_assert_num_queries(LIST_QUERIES):
        api_client.get(LIST_URL, {"page_size": 100})
