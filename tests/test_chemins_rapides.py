"""The fast paths the benchmark (bench/) asked for give the same answers as the straightforward ones."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from portail import views
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


def test_beyond_a_few_hundred_leads_the_lead_filter_takes_an_identifier(monkeypatch):
    assert 'select name="chef_de_file"' in Client().get("/projets/").content.decode()

    monkeypatch.setattr(views, "CHEFS_EN_LISTE_MAX", 3)
    page = Client().get("/projets/").content.decode()

    assert 'select name="chef_de_file"' not in page
    assert '<input type="text" name="chef_de_file"' in page and "Identifiant de l&#x27;organisation" in page
    slug = ProjetFactory().chef_de_file.slug
    assert Client().get("/projets/", {"chef_de_file": slug}).context["page"].paginator.count == 1
