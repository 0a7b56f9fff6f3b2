"""HTML: indicators on each project page, the programme view, an indicator's page; pinned query counts."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicateurs import selectors, services
from indicateurs.models import Indicateur
from laureats.models import Projet
from portail.selectors import projet_detail_queryset
from tests.indicateurs.factories import IndicateurFactory, MesureFactory

pytestmark = pytest.mark.django_db

JOUR = datetime.date(2025, 6, 30)
# Filter choices (count and rows of projects, of regions), by region, by theme, at risk and their latest
# evaluations, date of the latest evaluation, number of qualitative impacts.
PROGRAMME_QUERIES = 10
# Indicator with project and region, latest evaluation, validated measurements, status changes, reporting periods.
DETAIL_QUERIES = 5


def _biovallee_mesurees():
    indicateur = Indicateur.objects.get(code="biovallee-production-energie-locale")
    MesureFactory(indicateur=indicateur, date=datetime.date(2022, 12, 31), valeur=Decimal("300"), validee=True)
    MesureFactory(indicateur=indicateur, date=datetime.date(2024, 12, 31), valeur=Decimal("500"), validee=True)
    MesureFactory(indicateur=indicateur, date=datetime.date(2025, 3, 31), valeur=Decimal("9999"))  # submitted only
    services.evaluation_run(date=JOUR)
    return indicateur


def test_the_project_page_shows_each_impact_verbatim_with_its_indicators_or_as_qualitative(client):
    _biovallee_mesurees()

    page = client.get("/projets/biovallee/").content.decode()

    assert "Indicateurs 2030" in page
    assert "Impact n°7 — « Passer de 178 à 790 KWh produits localement ; »" in page
    assert "Production d&#x27;énergie locale" in page
    assert "178\u00a0kWh" in page and "790\u00a0kWh au 31/12/2030" in page
    # Impact 3 names no quantity.
    bloc = page.split('id="impact-3"')[1].split("</section>")[0]
    assert "Qualitatif" in bloc and "Aucune valeur chiffrée" in bloc
    assert "En bonne voie" in page


def test_each_indicator_has_an_accessible_svg_chart_with_a_data_table(client):
    _biovallee_mesurees()

    page = client.get("/projets/biovallee/").content.decode()

    svgs = re.findall(r'<svg class="ti-graphique".*?</svg>', page, re.S)
    assert len(svgs) == 8  # one per indicator of Biovallée
    svg = next(s for s in svgs if "titre-biovallee-production-energie-locale" in s)
    assert 'role="img"' in svg and '<title id="titre-biovallee-production-energie-locale">' in svg
    assert "Origine 178\u00a0kWh au 13/09/2019" in svg
    assert "2 mesure(s) validée(s), la dernière 500\u00a0kWh au 31/12/2024" in svg
    assert svg.count('class="ti-point-mesure"') == 2  # the submitted 9999 is not drawn
    assert "9\u202f999" not in page
    assert "Données du graphique" in page and "<td>31/12/2022</td>" in page
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing loaded from elsewhere


def test_the_legend_states_the_tolerances(client):
    page = client.get("/projets/biovallee/").content.decode()
    assert "de 10 % du chemin au plus" in page and "de 10 à 25 % du chemin" in page


def test_the_project_indicators_selector_takes_four_queries(django_assert_num_queries):
    projet = projet_detail_queryset().get(slug="biovallee")
    list(projet.impacts.all())
    with django_assert_num_queries(4):
        blocs = selectors.projet_indicateurs(projet)
    assert [len(b.indicateurs) for b in blocs] == [1, 1, 0, 2, 1, 1, 1, 1]


def test_the_project_page_queries_do_not_grow_with_its_indicators(client):
    _biovallee_mesurees()
    with CaptureQueriesContext(connection) as avant:
        client.get("/projets/biovallee/")

    impact = Projet.objects.get(slug="biovallee").impacts.get(ordre=7)
    for indicateur in IndicateurFactory.create_batch(5, impact=impact):
        MesureFactory.create_batch(3, indicateur=indicateur, validee=True)
    services.evaluation_run(date=JOUR)
    with CaptureQueriesContext(connection) as apres:
        response = client.get("/projets/biovallee/")

    assert response.content.decode().count('<svg class="ti-graphique"') == 13
    assert len(apres.captured_queries) == len(avant.captured_queries)


def test_the_programme_view_counts_statuses_by_region_and_theme(client, django_assert_num_queries):
    en_retard = Indicateur.objects.get(code="morbihan-flexibilite-energetique-usage-voiture-individuelle")
    MesureFactory(indicateur=en_retard, date=datetime.date(2025, 1, 31), valeur=Decimal("93"), validee=True)
    _biovallee_mesurees()

    with django_assert_num_queries(PROGRAMME_QUERIES):
        response = client.get("/indicateurs/")

    assert response.status_code == 200
    par_region = {ligne["region_code"]: ligne for ligne in response.context["par_region"]}
    assert par_region["84"]["total"] == 24 and par_region["84"]["en_bonne_voie"] == 1
    assert response.context["totaux"]["total"] == 101
    theme = {ligne["thematique_slug"]: ligne for ligne in response.context["par_thematique"]}
    assert theme["agroecologie"]["en_bonne_voie"] == 1
    assert "26 impacts qualitatifs" in response.content.decode()


def test_the_programme_view_lists_the_indicators_at_risk_and_filters_by_region(client):
    indicateur = Indicateur.objects.get(code="morbihan-flexibilite-energetique-usage-voiture-individuelle")
    MesureFactory(indicateur=indicateur, date=datetime.date(2025, 1, 31), valeur=Decimal("93"), validee=True)
    services.evaluation_run(date=JOUR)

    response = client.get("/indicateurs/", {"region": "53"})

    assert [i.code for i in response.context["a_risque"]] == [indicateur.code]
    assert response.context["totaux"]["total"] == 14
    assert "En retard" in response.content.decode()


def test_a_bad_filter_shows_a_form_error_not_a_500(client):
    response = client.get("/indicateurs/", {"region": "99"})
    assert response.status_code == 200
    assert response.context["filterset"].errors


def test_an_indicator_page_shows_its_chart_and_status_history(client, django_assert_num_queries):
    indicateur = _biovallee_mesurees()
    services.evaluation_run(date=datetime.date(2026, 1, 31))

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(f"/indicateurs/{indicateur.code}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "« Passer de 178 à 790 KWh produits localement ; »" in page
    assert "Historique des statuts" in page and "En bonne voie" in page


def test_an_unknown_indicator_page_is_a_404(client):
    assert client.get("/indicateurs/inconnu/").status_code == 404
