"""GET /api/v1/projets/ and /api/v1/projets/{slug}/: the public contract of DESIGN.md."""

import pytest

from tests.factories import ProjetFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/projets/"
CONTRACT_FIELDS = {
    "slug", "titre", "region", "chef_de_file", "nb_partenaires_declares", "nb_collectivites_declarees",
    "population_concernee", "budget_previsionnel", "subvention_prevue", "investissement_potentiel",
    "thematiques", "types_territoire",
}  # fmt: skip
# The ETag's aggregate (its count is the paginator's), then the page with region, lead, allocations and
# vocabularies as JSON columns (the fast read path, config/lecture_rapide.py): was 4 before it.
LIST_QUERIES = 2


def test_the_list_is_public_paginated_and_holds_the_24_laureates(api_client):
    response = api_client.get(LIST_URL, {"page_size": 100})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 24 and len(body["results"]) == 24 and body["next"] is None
    assert set(body["results"][0]) >= CONTRACT_FIELDS


def test_a_project_in_the_list_has_its_fiche_figures_as_the_contract_says(api_client):
    results = api_client.get(LIST_URL, {"page_size": 100}).json()["results"]
    biovallee = next(p for p in results if p["slug"] == "biovallee")

    assert biovallee["titre"] == "BIOVALLÉE"
    assert biovallee["region"] == {"code": "84", "nom": "Auvergne-Rhône-Alpes"}
    assert biovallee["chef_de_file"]["nom"] == "Association Biovallée"
    assert (biovallee["nb_partenaires_declares"], biovallee["nb_collectivites_declarees"]) == (29, 3)
    assert biovallee["population_concernee"] == 56000
    assert biovallee["budget_previsionnel"] == "53000000.00"
    assert biovallee["subvention_prevue"] == "5700000.00"
    assert biovallee["investissement_potentiel"] == "12800000.00"
    assert biovallee["thematiques"] == ["Transition écologique et énergétique", "Agroécologie"]
    assert biovallee["types_territoire"] == ["Territoires ruraux"]

    le_havre = next(p for p in results if p["slug"] == "le-havre-smart-port-city")
    assert le_havre["budget_previsionnel"] is None


def test_page_size_is_honoured_up_to_100(api_client):
    body = api_client.get(LIST_URL, {"page_size": 5}).json()
    assert len(body["results"]) == 5 and "page=2" in body["next"]

    ProjetFactory.create_batch(90)
    assert len(api_client.get(LIST_URL, {"page_size": 500}).json()["results"]) == 100


def test_the_list_query_count_does_not_grow_with_the_number_of_projects(api_client, django_assert_num_queries):
    with django_assert_num_queries(LIST_QUERIES):
        api_client.get(LIST_URL, {"page_size": 100})

    ProjetFactory.create_batch(60)

    with django_assert_num_queries(LIST_QUERIES):
        response = api_client.get(LIST_URL, {"page_size": 100})
    assert len(response.json()["results"]) == 84


def test_the_detail_adds_the_ambition_objectives_and_verbatim_impacts(api_client):
    response = api_client.get(f"{LIST_URL}biovallee/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= CONTRACT_FIELDS
    assert body["ambition"].startswith("Les trois intercommunalités situées dans la Vallée de la Drôme")
    assert len(body["objectifs"]) == 5
    assert body["impacts_2030"][6] == "Passer de 178 à 790 KWh produits localement ;"
    assert len(body["impacts_2030"]) == 8


def test_the_detail_query_count_is_pinned(api_client, django_assert_num_queries):
    # The ETag's aggregate, then the record with its nested lists as JSON columns of its row
    # (config.lecture_rapide.objet_rapide): was 8 (project, themes, types, objectives, impacts,
    # partnerships, labels prefetched one by one).
    with django_assert_num_queries(2):
        api_client.get(f"{LIST_URL}vilagil/")


def test_an_unknown_project_is_a_404(api_client):
    assert api_client.get(f"{LIST_URL}projet-inexistant/").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_public_api_is_read_only(api_client, method):
    url = LIST_URL if method == "post" else f"{LIST_URL}biovallee/"
    response = getattr(api_client, method)(url, {}, content_type="application/json")
    assert response.status_code in (401, 403, 405)


def test_filters_by_region_theme_and_territory_type(api_client):
    def slugs(**params):
        return {p["slug"] for p in api_client.get(LIST_URL, {"page_size": 100, **params}).json()["results"]}

    assert slugs(region="53") == {
        "terres-de-sources",
        "handicap-innovation-territoire",
        "morbihan-flexibilite-energetique",
    }
    # Both spellings of the theme are found under the one vocabulary entry.
    assert {"biovallee", "morbihan-flexibilite-energetique"} <= slugs(thematique="transition-ecologique-et-energetique")
    assert "lyon-saint-etienne-industrie-integree" in slugs(type_territoire="metropole")
    assert slugs(search="Biovallée") == {"biovallee"}


@pytest.mark.parametrize("params", [{"region": "99"}, {"thematique": "inconnue"}, {"page": "abc"}])
def test_bad_filter_values_get_a_400_or_404_never_a_500(api_client, params):
    response = api_client.get(LIST_URL, params)
    assert response.status_code in (400, 404)
    if "region" in params:
        assert "region" in response.json()["errors"]


def test_the_schema_and_the_docs_are_served(api_client):
    assert api_client.get("/api/schema/").status_code == 200
    docs = api_client.get("/api/docs/", HTTP_ACCEPT="text/html")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content


def test_a_detail_asked_with_filters_is_filtered_as_drf_filters_it(api_client):
    # A detail without parameters skips the filter backends (config.api_tools.DetailMixin): with
    # one, the project outside the filter is still a 404.
    assert api_client.get(f"{LIST_URL}biovallee/").status_code == 200
    assert api_client.get(f"{LIST_URL}biovallee/", {"region": "53"}).status_code == 404
    assert api_client.get(f"{LIST_URL}biovallee/", {"region": "84"}).status_code == 200
