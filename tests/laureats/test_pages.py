"""The HTML pages answer with the 24 laureates, in a pinned number of queries."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_the_programme_figures_computed_from_the_fiches(client, django_assert_num_queries):
    # figures, envelopes, the regions' counts, the laureates, and the latest changes: one query per
    # public history source (see tests/pages/test_nombre_de_requetes.py)
    with django_assert_num_queries(12):
        response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<p class="ti-chiffre">24</p>' in page
    assert "1\u202f206" in page  # partners declared in the fiches, summed
    assert "BIOVALLÉE" in page and "NOUVELLE-CALÉDONIE" in page
    assert "dépasse le plafond" in page


def test_the_project_list_filters_by_region(client):
    response = client.get("/projets/", {"region": "53"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 3


def test_a_bad_filter_shows_a_form_error_not_a_500(client):
    response = client.get("/projets/", {"region": "99"})
    assert response.status_code == 200
    assert response.context["filterset"].errors


def test_the_project_page_shows_the_fiche(client):
    response = client.get("/projets/le-havre-smart-port-city/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "LE HAVRE SMART PORT CITY" in page
    assert "Non indiqué dans la fiche" in page


def test_an_unknown_project_page_is_a_404(client):
    assert client.get("/projets/inexistant/").status_code == 404
