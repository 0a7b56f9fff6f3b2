"""The officers' identifiers page and "Identifiants manquants avant publication"."""

import pytest
from django.test import Client

from laureats import services
from laureats.models import Etablissement, Organisation, Partenariat, Projet
from tests.factories import compte

pytestmark = pytest.mark.django_db

MANQUANTS = "/organisations/identifiants-manquants/"


def connecte(role: str) -> Client:
    client = Client()
    client.force_login(compte(role))
    return client


@pytest.fixture
def charge() -> Client:
    return connecte("charge")


@pytest.fixture
def dijon() -> Organisation:
    return Organisation.objects.get(slug="dijon-metropole")


def url(organisation: Organisation, suite: str = "identifiants/") -> str:
    return f"/organisations/{organisation.slug}/{suite}"


def test_an_officer_saves_a_siren_and_an_rna_from_the_page(charge, dijon):
    response = charge.post(
        url(dijon, "identifiants/enregistrer/"), {"identifiants-siren": "242 100 410", "identifiants-rna": ""}
    )

    assert response.status_code == 302 and response["Location"] == url(dijon)
    dijon.refresh_from_db()
    assert dijon.siren == "242100410"
    assert dijon.history.latest().history_change_reason == "Identifiants modifiés : SIREN"


def test_a_wrong_siren_comes_back_as_a_french_field_error_and_nothing_is_written(charge, dijon):
    response = charge.post(
        url(dijon, "identifiants/enregistrer/"), {"identifiants-siren": "242 100 411", "identifiants-rna": "W1"}
    )

    assert response.status_code == 200
    form = response.context["identifiants"]
    assert form.errors["siren"] == ["Clé de contrôle du SIREN invalide : un chiffre est faux ou deux sont inversés."]
    assert form.errors["rna"] == ["Le numéro RNA est un W suivi de neuf chiffres (par exemple W751234567)."]
    page = response.content.decode()
    assert 'aria-invalid="true"' in page and "Clé de contrôle du SIREN invalide" in page
    dijon.refresh_from_db()
    assert (dijon.siren, dijon.rna) == ("", "")


def test_an_officer_adds_an_establishment_typed_with_spaces(charge, dijon):
    response = charge.post(
        url(dijon, "etablissements/ajouter/"),
        {"etablissement-siret": "552\u00a0100\u00a0554\u00a000013", "etablissement-libelle": "Siège"},
    )

    assert response.status_code == 302
    assert list(dijon.etablissements.values_list("siret", "libelle")) == [("55210055400013", "Siège")]
    assert "552 100 554 00013" in charge.get(url(dijon)).content.decode()


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("55210055400014", "Clé de contrôle du SIRET invalide : un chiffre est faux ou deux sont inversés."),
        ("5521005540001", "Le SIRET compte exactement quatorze chiffres."),
        ("", "Ce champ est obligatoire."),
    ],
)
def test_an_invalid_siret_is_a_french_field_error_and_nothing_is_written(charge, dijon, siret, message):
    response = charge.post(url(dijon, "etablissements/ajouter/"), {"etablissement-siret": siret})

    assert response.status_code == 200
    assert response.context["ajout"].errors["siret"] == [message]
    assert message in response.content.decode()
    assert not Etablissement.objects.exists()


def test_a_siret_outside_the_siren_is_refused_next_to_the_field(charge, dijon):
    services.organisation_identifiants_update(organisation=dijon, siren="242100410", rna="", by=None)

    response = charge.post(url(dijon, "etablissements/ajouter/"), {"etablissement-siret": "55210055400013"})

    assert response.status_code == 200
    assert "devraient être son SIREN (242 100 410)" in response.context["ajout"].errors["siret"][0]
    assert not Etablissement.objects.exists()


def test_an_officer_removes_an_establishment(charge, dijon):
    etablissement = services.etablissement_create(organisation=dijon, siret="55210055400013", libelle="", by=None)

    response = charge.post(url(dijon, f"etablissements/{etablissement.pk}/retirer/"))

    assert response.status_code == 302 and not Etablissement.objects.exists()


def test_removing_an_establishment_of_another_organisation_changes_nothing(charge, dijon):
    autre = Organisation.objects.exclude(pk=dijon.pk).first()
    etablissement = services.etablissement_create(organisation=autre, siret="55210055400013", libelle="", by=None)

    charge.post(url(dijon, f"etablissements/{etablissement.pk}/retirer/"))

    assert Etablissement.objects.filter(pk=etablissement.pk).exists()


@pytest.mark.parametrize("role", ["directeur", "partenaire"])
def test_only_officers_edit_identifiers(role, dijon):
    client = connecte(role)

    assert client.get(url(dijon)).status_code == 403
    assert client.post(url(dijon, "identifiants/enregistrer/"), {"identifiants-siren": "242100410"}).status_code == 403
    assert (
        client.post(url(dijon, "etablissements/ajouter/"), {"etablissement-siret": "55210055400013"}).status_code == 403
    )
    dijon.refresh_from_db()
    assert dijon.siren == "" and not Etablissement.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, dijon):
    assert client.get(url(dijon))["Location"].startswith("/connexion/")
    assert client.get(MANQUANTS)["Location"].startswith("/connexion/")


def test_an_unknown_organisation_is_a_404(charge):
    assert charge.get("/organisations/inexistante/identifiants/").status_code == 404


def test_the_project_page_links_each_partner_to_its_identifiers_for_officers(charge, client):
    biovallee = Projet.objects.get(slug="biovallee")
    organisation = Partenariat.objects.filter(projet=biovallee).first().organisation

    assert url(organisation) in charge.get("/projets/biovallee/").content.decode()
    assert url(organisation) not in client.get("/projets/biovallee/").content.decode()
    assert url(organisation) in charge.get("/projets/biovallee/partenaires/").content.decode()


# "Identifiants manquants avant publication"


def _a_completer_recompute() -> set[str]:
    """Independently of the selector: organisations that lead or partner a project, without RNA nor SIREN + SIRET."""
    participants = set(Projet.objects.values_list("chef_de_file_id", flat=True))
    participants |= set(Partenariat.objects.values_list("organisation_id", flat=True))
    avec_siret = set(Etablissement.objects.values_list("organisation_id", flat=True))
    return {
        o.nom
        for o in Organisation.objects.filter(pk__in=participants)
        if not o.rna and not (o.siren and o.pk in avec_siret)
    }


def test_the_missing_identifiers_page_lists_the_organisations_the_open_data_cannot_name(charge):
    chefs = list(Organisation.objects.filter(projets_portes__isnull=False).order_by("nom").distinct()[:3])
    complete_siret, complete_rna, siren_seul = chefs
    services.organisation_identifiants_update(organisation=complete_siret, siren="552100554", rna="", by=None)
    services.etablissement_create(organisation=complete_siret, siret="55210055400013", libelle="", by=None)
    services.organisation_identifiants_update(organisation=complete_rna, siren="", rna="W751234567", by=None)
    services.organisation_identifiants_update(organisation=siren_seul, siren="732829320", rna="", by=None)
    hors_projet = services.organisation_create(nom="Sans projet", by=None)

    response = charge.get(MANQUANTS)

    assert response.status_code == 200
    listees = {organisation.nom for organisation, _ in response.context["organisations"]}
    assert listees == _a_completer_recompute()
    assert siren_seul.nom in listees
    assert {complete_siret.nom, complete_rna.nom, hors_projet.nom}.isdisjoint(listees)
    page = response.content.decode()
    assert url(siren_seul) in page


def test_on_the_loaded_programme_every_organisation_taking_part_is_to_complete(charge):
    """The press kit gives no identifier: none is invented, all are listed."""
    response = charge.get(MANQUANTS)

    assert not Organisation.objects.exclude(siren="", rna="").exists() and not Etablissement.objects.exists()
    listees = {organisation.nom for organisation, _ in response.context["organisations"]}
    assert listees == _a_completer_recompute() and len(listees) >= 24


def test_the_page_lists_the_projects_without_a_start_date(charge):
    Projet.objects.filter(slug="biovallee").update(date_debut="2020-01-15")

    response = charge.get(MANQUANTS)

    slugs = {p.slug for p in response.context["projets"]}
    assert slugs == set(Projet.objects.filter(date_debut__isnull=True).values_list("slug", flat=True))
    assert "biovallee" not in slugs and len(slugs) == 23


def test_directors_read_the_page_without_the_edit_links_and_partners_cannot(dijon):
    response = connecte("directeur").get(MANQUANTS)

    assert response.status_code == 200
    assert url(dijon) not in response.content.decode()
    assert connecte("partenaire").get(MANQUANTS).status_code == 403


def test_the_page_runs_a_fixed_number_of_queries(charge, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert charge.get(MANQUANTS).status_code == 200
