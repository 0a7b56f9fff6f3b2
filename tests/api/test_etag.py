"""Conditional GET: a strong ETag from the data on every list and detail, a 304 before any serialization."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from financements import services as financements
from financements.models import Allocation
from indicateurs import services as indicateurs
from indicateurs.models import Indicateur
from laureats import services as laureats
from laureats.models import Organisation, Projet
from tests.api.test_listes import LISTS
from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db

DETAILS = [
    "/api/v1/projets/biovallee/", "/api/v1/organisations/association-biovallee/", "/api/v1/regions/84/",
    "/api/v1/enveloppes/subvention/", "/api/v1/indicateurs/biovallee-production-energie-locale/",
]  # fmt: skip


def client_for(role: str | None, **kwargs) -> Client:
    return Client() if role is None else Client(HTTP_AUTHORIZATION=f"Token {jeton(compte(role, **kwargs))}")


def etag(client: Client, url: str, **params) -> str:
    reponse = client.get(url, params)
    assert reponse.status_code == 200, (url, reponse.content[:300])
    return reponse["ETag"]


@pytest.mark.parametrize("url", [*LISTS, "/api/v1/indicateurs/", "/api/v1/mesures/", *DETAILS])
def test_every_list_and_detail_has_a_strong_etag_and_answers_304_without_a_body(url):
    client = client_for("charge")
    reponse = client.get(url)
    valeur = reponse["ETag"]
    assert valeur.startswith('"') and not valeur.startswith("W/")
    assert "Authorization" in reponse["Vary"]
    for entete in (valeur, f"W/{valeur}", f'"autre", {valeur}', "*"):
        pas_modifie = client.get(url, HTTP_IF_NONE_MATCH=entete)
        assert pas_modifie.status_code == 304 and pas_modifie.content == b""
        assert pas_modifie["ETag"] == valeur
    assert client.get(url, HTTP_IF_NONE_MATCH='"autre"').status_code == 200
    # Each page, filter and format has its own.
    assert etag(client, url, format="csv") != valeur


def test_a_304_is_decided_before_any_serialization(django_assert_num_queries):
    client = Client()
    valeur = etag(client, "/api/v1/projets/", page_size=100)
    with django_assert_num_queries(1):  # the aggregate: no page, no prefetch
        assert client.get("/api/v1/projets/?page_size=100", HTTP_IF_NONE_MATCH=valeur).status_code == 304


def test_the_list_counts_once(django_assert_num_queries):
    """The ETag's count is the paginator's: a 200 costs no more queries than before conditional GET."""
    client = Client()
    client.get("/api/v1/projets/")
    with django_assert_num_queries(2):  # the ETag's aggregate, which counts; the page with its vocabularies
        assert client.get("/api/v1/projets/").json()["count"] == 24


def test_any_write_to_a_row_of_the_set_changes_the_etag():
    client = Client()
    projet = Projet.objects.get(slug="biovallee")
    urls = ["/api/v1/projets/", "/api/v1/projets/?region=84", "/api/v1/projets/biovallee/"]
    avant = {url: etag(client, url) for url in urls}

    ecritures = [
        lambda: laureats.projet_update(projet=projet, data={"population_concernee": 1234}, by=None),
        lambda: financements.allocation_update(
            allocation=Allocation.objects.get(projet=projet, enveloppe__code="subvention"),
            montant=Decimal("5800000.00"), by=None,
        ),
        lambda: laureats.objectif_create(projet=projet, texte="Un objectif de plus", by=None),
        lambda: laureats.objectif_delete(objectif=projet.objectifs.order_by("-ordre").first(), by=None),
        lambda: laureats.partenariat_add(
            projet=projet, organisation=Organisation.objects.exclude(partenariats__projet=projet).first(),
            role="partenaire", by=None,
        ),
    ]  # fmt: skip
    for ecrire in ecritures:
        ecrire()
        apres = {url: etag(client, url) for url in urls}
        assert all(apres[url] != avant[url] for url in urls), apres
        avant = apres


def test_a_write_outside_the_set_leaves_the_etag_alone():
    client = Client()
    urls = ["/api/v1/projets/?region=84", "/api/v1/projets/biovallee/", "/api/v1/mesures/?projet=biovallee"]
    avant = {url: etag(client, url) for url in urls}
    ailleurs = Projet.objects.exclude(region__code="84").first()
    laureats.projet_update(projet=ailleurs, data={"population_concernee": 4321}, by=None)
    laureats.objectif_create(projet=ailleurs, texte="Ailleurs", by=None)
    assert {url: etag(client, url) for url in urls} == avant


def test_a_measurement_decided_changes_the_etag_of_the_lists_that_show_it():
    partenaire = compte("partenaire")
    indicateur = Indicateur.objects.filter(impact__projet__slug="biovallee").first()
    mesure = indicateurs.mesure_submit(
        indicateur=indicateur, date=datetime.date(2024, 6, 30), valeur=Decimal("12"), source="Relevé", by=partenaire
    )
    public, charge = Client(), client_for("charge")
    url = f"/api/v1/mesures/?indicateur={indicateur.code}"
    avant_public, avant_charge = etag(public, url), etag(charge, url)
    indicateurs.mesure_validate(mesure=mesure, by=None)
    assert etag(public, url) != avant_public  # the public now sees it
    assert etag(charge, url) != avant_charge  # the officer sees its new status


def test_the_etag_differs_per_role_where_the_visible_rows_differ():
    partenaire = compte("partenaire")
    indicateur = Indicateur.objects.filter(impact__projet__slug="biovallee").first()
    indicateurs.mesure_submit(  # submitted, not validated: not public
        indicateur=indicateur, date=datetime.date(2024, 6, 30), valeur=Decimal("12"), source="Relevé", by=partenaire
    )
    lecteurs = [
        Client(),
        Client(HTTP_AUTHORIZATION=f"Token {jeton(partenaire)}"),
        client_for("directeur", regions=["84"]),
        client_for("directeur", regions=["11"]),
        client_for("charge"),
    ]
    etags = [etag(lecteur, "/api/v1/mesures/") for lecteur in lecteurs]
    assert len(set(etags)) == len(etags)
    # Two anonymous readers share one: a shared cache may serve them both.
    assert etag(Client(), "/api/v1/mesures/") == etags[0]


@pytest.mark.parametrize("url", LISTS)
def test_the_count_of_every_list_is_its_number_of_rows(url):
    """The ETag's count feeds the paginator: joined nested rows must not count a row twice."""
    from tests.api.test_csv import tout_le_json

    client = client_for("charge")
    assert client.get(url).json()["count"] == len(tout_le_json(client, url, {}))
