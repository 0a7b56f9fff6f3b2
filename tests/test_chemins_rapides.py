"""The fast paths the benchmark (bench/) asked for give the same answers as the straightforward ones."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from indicateurs import selectors
from indicateurs.models import Mesure
from laureats import views
from tests.factories import ProjetFactory
from tests.indicateurs.factories import IndicateurFactory, MesureFactory

pytestmark = pytest.mark.django_db


def test_each_project_link_is_its_own_detail_url(api_client):
    results = api_client.get("/api/v1/projets/", {"page_size": 100}).json()["results"]

    assert len(results) == 24
    for projet in results:
        assert projet["url"] == f"http://testserver{reverse('api:projet-detail', args=[projet['slug']])}"


def test_each_measurement_link_is_its_own_detail_url(api_client):
    indicateur = IndicateurFactory()
    for jour in (1, 2, 3):
        MesureFactory(indicateur=indicateur, date=datetime.date(2024, 1, jour), validee=True)

    results = api_client.get("/api/v1/mesures/", {"indicateur": indicateur.code}).json()["results"]

    assert len(results) == 3
    for mesure in results:
        assert mesure["url"] == f"http://testserver{reverse('api:mesure-detail', args=[mesure['uid']])}"


def test_the_one_query_evaluation_read_matches_the_portable_one():
    # Ties on the date: the value decided last wins, then the highest id, in both reads.
    indicateur = IndicateurFactory()
    jour = datetime.date(2024, 6, 30)
    plus_tot = timezone.now() - datetime.timedelta(days=3)
    MesureFactory(indicateur=indicateur, date=jour, valeur=Decimal("120"), validee=True, decision_le=timezone.now())
    MesureFactory(indicateur=indicateur, date=jour, valeur=Decimal("110"), validee=True, decision_le=plus_tot)
    MesureFactory(indicateur=indicateur, date=datetime.date(2022, 1, 1), valeur=Decimal("101"), validee=True)
    MesureFactory(indicateur=indicateur, date=datetime.date(2025, 1, 1), valeur=Decimal("190"))  # submitted only
    MesureFactory(indicateur=IndicateurFactory(), date=datetime.date(2026, 1, 1), valeur=Decimal("1"), validee=True)
    date = datetime.date(2025, 6, 30)

    flux = list(selectors.indicateur_evaluation_stream(date=date, par=7))
    portable = list(selectors.indicateur_evaluation_rows(date=date).order_by("pk"))

    assert flux == portable
    ligne = next(lig for lig in flux if lig["pk"] == indicateur.pk)
    assert (ligne["derniere_valeur"], ligne["premiere_valeur"]) == (Decimal("120"), Decimal("101"))
    assert Mesure.objects.get(pk=ligne["derniere_pk"]).valeur == Decimal("120")


def test_beyond_a_few_hundred_leads_the_lead_filter_takes_an_identifier(monkeypatch):
    assert 'select name="chef_de_file"' in Client().get("/projets/").content.decode()

    monkeypatch.setattr(views, "CHEFS_EN_LISTE_MAX", 3)
    page = Client().get("/projets/").content.decode()

    assert 'select name="chef_de_file"' not in page
    assert '<input type="text" name="chef_de_file"' in page and "Identifiant de l&#x27;organisation" in page
    slug = ProjetFactory().chef_de_file.slug
    assert Client().get("/projets/", {"chef_de_file": slug}).context["page"].paginator.count == 1
