"""The project list offers the API's filters, search, sorting and pagination."""

import pytest

pytestmark = pytest.mark.django_db


def titres(response) -> list[str]:
    return [p.titre for p in response.context["page"]]


def test_the_list_is_paginated_ten_by_ten_in_the_press_kit_order(client):
    response = client.get("/projets/")
    assert response.context["page"].paginator.count == 24
    assert len(titres(response)) == 10 and titres(response)[0] == "BIOVALLÉE"
    page = response.content.decode()
    assert 'aria-current="page" title="Page 1"' in page and "page=3" in page
    assert len(titres(client.get("/projets/", {"page": 3}))) == 4


def test_filters_combine_region_theme_territory_type_and_search(client):
    assert client.get("/projets/", {"region": "84"}).context["page"].paginator.count == 3
    response = client.get("/projets/", {"region": "84", "search": "vallée"})
    assert titres(response) == ["BIOVALLÉE"]
    response = client.get("/projets/", {"thematique": "agroecologie"})
    assert response.status_code == 200 and response.context["filterset"].is_valid()
    response = client.get("/projets/", {"type_territoire": "territoires-ruraux", "search": "drôme"})
    assert "BIOVALLÉE" in titres(response)


def test_search_looks_in_the_title_the_lead_and_the_ambition_like_the_api(client):
    html = client.get("/projets/", {"search": "port", "page_size": 100})
    api = client.get("/api/v1/projets/", {"search": "port", "page_size": 100}, HTTP_ACCEPT="application/json")
    assert sorted(titres(html)) == sorted(p["titre"] for p in api.json()["results"])
    assert html.context["page"].paginator.count > 0


@pytest.mark.parametrize("sans_accents", ["metropole", "METROPOLE", "saint-etienne metropole", "drome"])
def test_search_ignores_accents_and_case_in_the_portal_and_the_api(client, sans_accents):
    avec_accents = {"metropole": "Métropole", "METROPOLE": "Métropole", "drome": "Drôme"}.get(
        sans_accents, "Saint-Étienne Métropole"
    )
    attendu = titres(client.get("/projets/", {"search": avec_accents, "page_size": 100}))
    html = client.get("/projets/", {"search": sans_accents, "page_size": 100})
    api = client.get("/api/v1/projets/", {"search": sans_accents, "page_size": 100}, HTTP_ACCEPT="application/json")

    assert attendu and titres(html) == attendu
    assert [p["titre"] for p in api.json()["results"]] == attendu


def test_sorting_by_a_column_and_back(client):
    croissant = client.get("/projets/", {"ordering": "subvention_prevue", "page_size": 100})
    decroissant = client.get("/projets/", {"ordering": "-subvention_prevue", "page_size": 100})
    montants = [p.subvention_prevue for p in croissant.context["page"]]
    assert montants == sorted(montants)
    assert [p.subvention_prevue for p in decroissant.context["page"]] == sorted(montants, reverse=True)
    page = croissant.content.decode()
    assert 'aria-sort="ascending"' in page and "ordering=-subvention_prevue" in page


def test_an_unknown_sort_falls_back_to_the_press_kit_order(client):
    assert titres(client.get("/projets/", {"ordering": "mot_de_passe"}))[0] == "BIOVALLÉE"


def test_a_bad_filter_shows_a_form_error_next_to_the_field_not_a_500(client):
    response = client.get("/projets/", {"region": "99"})
    assert response.status_code == 200
    assert 'id="id_region-erreur"' in response.content.decode()


def test_every_filter_has_a_label(client):
    page = client.get("/projets/").content.decode()
    for ident in ("recherche", "id_region", "id_thematique", "id_type_territoire", "id_chef_de_file"):
        assert f'for="{ident}"' in page and f'id="{ident}"' in page
