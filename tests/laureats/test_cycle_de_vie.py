"""A project's life cycle (status, start and end dates): edited by officers, historised, shown, filtered, in the API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from laureats import services
from laureats.models import Projet
from tests.factories import compte

pytestmark = pytest.mark.django_db

URL = "/projets/biovallee/modifier/"


@pytest.fixture
def charge() -> Client:
    client = Client()
    client.force_login(compte("charge"))
    return client


def formulaire(**changes) -> dict:
    """The edit form as the page sends it, filled with Biovallée's current values."""
    projet = Projet.objects.get(slug="biovallee")
    data = {
        "titre": projet.titre, "intitule_sommaire": projet.intitule_sommaire, "region": projet.region_id,
        "chef_de_file_libelle": projet.chef_de_file_libelle, "partenaires_libelle": projet.partenaires_libelle,
        "nb_partenaires_declares": projet.nb_partenaires_declares,
        "nb_collectivites_declarees": projet.nb_collectivites_declarees,
        "population_libelle": projet.population_libelle, "population_concernee": projet.population_concernee,
        "ambition": projet.ambition, "budget_previsionnel": "53 000 000,00",
        "subvention": "5 700 000,00", "investissement": "12800000.00",
        "statut": projet.statut, "date_debut": "", "date_fin": "",
    }  # fmt: skip
    data.update(changes)
    return data


def test_an_officer_sets_the_status_and_dates_and_the_history_says_so(charge):
    response = charge.post(URL, formulaire(statut="en_cours", date_debut="2020-03-01", date_fin="2029-12-31"))

    assert response.status_code == 302
    projet = Projet.objects.get(slug="biovallee")
    assert (projet.statut, projet.date_debut, projet.date_fin) == (
        "en_cours", datetime.date(2020, 3, 1), datetime.date(2029, 12, 31),
    )  # fmt: skip
    dernier = projet.history.latest()
    assert dernier.history_change_reason == "Cycle de vie : statut « En cours », début 01/03/2020, fin 31/12/2029"
    assert dernier.history_user.profil.role == "charge"
    assert dernier.prev_record.statut == "en_conventionnement"


def test_a_fiche_correction_and_a_status_change_say_both(charge):
    charge.post(URL, formulaire(titre="BIOVALLÉE (corrigé)", statut="abandonne"))

    motif = Projet.objects.get(slug="biovallee").history.latest().history_change_reason
    assert motif == "Fiche modifiée dans le portail ; Cycle de vie : statut « Abandonné »"


def test_an_end_before_the_start_is_a_french_field_error_and_nothing_is_written(charge):
    response = charge.post(URL, formulaire(statut="en_cours", date_debut="2021-06-01", date_fin="2021-05-31"))

    assert response.status_code == 200
    assert response.context["form"].errors["date_fin"] == [
        "La date de fin ne peut précéder la date de début (01/06/2021)."
    ]
    projet = Projet.objects.get(slug="biovallee")
    assert (projet.statut, projet.date_debut, projet.date_fin) == ("en_conventionnement", None, None)


def test_an_unknown_status_or_a_malformed_date_is_refused(charge):
    response = charge.post(URL, formulaire(statut="termine", date_debut="31/02/2021"))

    errors = response.context["form"].errors
    assert errors["statut"][0].startswith("Sélectionnez un choix valide.")
    assert errors["date_debut"] == ["Saisissez une date valide."]


def test_a_form_posted_without_the_status_keeps_it():
    projet = Projet.objects.get(slug="biovallee")
    services.projet_update(projet=projet, data={"statut": "en_cours"}, by=None)
    client = Client()
    client.force_login(compte("charge"))
    data = formulaire()
    del data["statut"]

    assert client.post(URL, data).status_code == 302
    assert Projet.objects.get(slug="biovallee").statut == "en_cours"


def test_the_service_refuses_an_end_before_the_start_on_its_field():
    projet = Projet.objects.get(slug="biovallee")
    with pytest.raises(ValidationError) as exc:
        services.projet_update(
            projet=projet, data={"date_debut": datetime.date(2022, 1, 2), "date_fin": datetime.date(2022, 1, 1)},
            by=None,
        )  # fmt: skip
    assert list(exc.value.message_dict) == ["date_fin"]


def test_the_project_page_shows_the_status_badge_and_the_dates(client):
    Projet.objects.filter(slug="biovallee").update(statut="en_cours", date_debut=datetime.date(2020, 3, 1))

    page = client.get("/projets/biovallee/").content.decode()

    assert '<p class="fr-badge fr-badge--sm fr-badge--success fr-badge--no-icon">En cours</p>' in page
    assert "Débuté le 1 mars 2020" in page


def test_the_project_page_says_when_the_start_date_is_not_entered(client):
    page = client.get("/projets/biovallee/").content.decode()

    assert "En conventionnement" in page and "Date de début non saisie" in page


def test_the_project_list_filters_by_status(client):
    Projet.objects.filter(slug__in=["biovallee", "le-havre-smart-port-city"]).update(statut="en_cours")

    response = client.get("/projets/", {"statut": "en_cours"})

    assert {p.slug for p in response.context["page"]} == {"biovallee", "le-havre-smart-port-city"}
    assert client.get("/projets/", {"statut": "termine"}).context["filterset"].errors["statut"]


def test_the_api_gives_the_status_and_dates_and_filters_by_status(api_client):
    Projet.objects.filter(slug="biovallee").update(
        statut="cloture", date_debut=datetime.date(2020, 3, 1), date_fin=datetime.date(2024, 12, 31)
    )

    detail = api_client.get("/api/v1/projets/biovallee/").json()
    liste = api_client.get("/api/v1/projets/", {"statut": "cloture"}).json()
    autre = api_client.get("/api/v1/projets/le-havre-smart-port-city/").json()

    assert (detail["statut"], detail["date_debut"], detail["date_fin"]) == ("cloture", "2020-03-01", "2024-12-31")
    assert [p["slug"] for p in liste["results"]] == ["biovallee"] and liste["results"][0]["statut"] == "cloture"
    assert (autre["statut"], autre["date_debut"], autre["date_fin"]) == ("en_conventionnement", None, None)


def test_the_api_refuses_an_unknown_status_filter_with_a_field_error(api_client):
    response = api_client.get("/api/v1/projets/", {"statut": "termine"})

    assert response.status_code == 400
    assert response.json()["errors"]["statut"]
