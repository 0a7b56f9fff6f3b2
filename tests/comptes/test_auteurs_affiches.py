"""Authors of ledger entries and measurements: a login for officers, a name or a role for everyone else."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from comptes.affichage import auteur_pour
from financements.models import Enveloppe
from indicateurs.models import Indicateur
from laureats.models import Projet
from tests import grand_livre as ledger
from tests.factories import compte, jeton
from tests.indicateurs.factories import MesureFactory

pytestmark = pytest.mark.django_db

LOGIN = "o-login-cache"  # distinctive: found nowhere else in a response
BIOVALLEE_MESURE = "biovallee-production-energie-locale"  # Association Biovallée leads this project
AILLEURS = "morbihan-flexibilite-energetique-usage-voiture-individuelle"


def client_de(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {jeton(user)}")


def ecritures(by) -> None:
    """A commitment and a disbursement on BIOVALLÉE, the partner's organisation's project."""
    engagement = ledger.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=Enveloppe.objects.get(code="subvention"),
        montant=Decimal("250000"), date=datetime.date(2024, 3, 1), reference="CP-1", motif="Convention", by=by,
    )  # fmt: skip
    ledger.versement_create(
        engagement=engagement, montant=Decimal("1000"), date=datetime.date(2024, 4, 1), reference="OP-1", by=by
    )


@pytest.fixture
def officier():
    user = compte("charge", username=LOGIN)
    ecritures(user)
    return user


@pytest.mark.parametrize("url", ["/api/v1/engagements/", "/api/v1/versements/"])
@pytest.mark.parametrize("format_", ["json", "csv"])
def test_a_partner_reads_the_ledger_without_any_officer_login(officier, url, format_):
    partenaire = client_de(compte("partenaire"))

    response = partenaire.get(url, {"format": format_})

    assert response.status_code == 200
    corps = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    assert "biovallee" in corps  # the partner does read the entries of its project
    assert LOGIN not in corps
    assert "Chargé·e de programme" in corps


@pytest.mark.parametrize("url", ["/api/v1/engagements/", "/api/v1/versements/"])
def test_a_partner_reads_the_officers_full_name_when_one_is_set(officier, url):
    officier.first_name, officier.last_name = "Claire", "Martin"
    officier.save()

    (entree,) = client_de(compte("partenaire")).get(url).json()["results"]

    assert entree["auteur"] == "Claire Martin"


def test_a_partner_reads_no_login_on_one_entry_either(officier):
    partenaire = client_de(compte("partenaire"))
    (entree,) = partenaire.get("/api/v1/engagements/").json()["results"]

    corps = partenaire.get(f"/api/v1/engagements/{entree['uid']}/").content.decode()

    assert "CP-1" in corps and LOGIN not in corps


def test_an_officer_still_reads_the_login_of_the_author(officier):
    (entree,) = client_de(compte("charge")).get("/api/v1/engagements/").json()["results"]
    assert entree["auteur"] == LOGIN


def test_the_entry_an_officer_records_names_them_by_login_in_the_answer():
    user = compte("charge", username=LOGIN)
    # Equity: a subsidy is committed through a convention, not this endpoint.
    response = client_de(user).post(
        "/api/v1/engagements/",
        {"projet": "biovallee", "enveloppe": "investissement", "montant": "1000.00", "date": "2024-03-01",
         "reference": "CP-9", "motif": "Convention"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201 and response.json()["auteur"] == LOGIN


def test_a_director_reads_names_not_logins_in_the_ledger_page_and_its_exports(officier):
    directeur = Client()
    directeur.force_login(compte("directeur"))

    for params in ({}, {"export": "csv"}):
        corps = directeur.get("/financements/grand-livre/", params).content.decode()
        assert "CP-1" in corps and LOGIN not in corps and "Chargé·e de programme" in corps


def test_a_director_reads_names_not_logins_on_the_project_page(officier):
    directeur = Client()
    directeur.force_login(compte("directeur"))

    corps = directeur.get("/projets/biovallee/").content.decode()

    assert "CP-1" in corps and LOGIN not in corps


def test_a_partner_reads_no_other_partners_login_on_validated_measurements():
    autre = compte("partenaire", username=LOGIN, organisation="Grand Belfort")
    MesureFactory(indicateur=Indicateur.objects.get(code=AILLEURS), validee=True, auteur=autre)
    partenaire = client_de(compte("partenaire"))

    corps = partenaire.get("/api/v1/mesures/").content.decode()

    assert AILLEURS in corps and LOGIN not in corps and "Partenaire" in corps


def test_a_partner_reads_their_own_login_on_what_they_submitted():
    partenaire = compte("partenaire", username=LOGIN)
    MesureFactory(indicateur=Indicateur.objects.get(code=BIOVALLEE_MESURE), auteur=partenaire)

    (mesure,) = client_de(partenaire).get("/api/v1/mesures/", {"statut": "soumise"}).json()["results"]

    assert mesure["auteur"] == LOGIN


def test_the_schema_keeps_the_author_a_nullable_read_only_string():
    schema = Client().get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    for nom in ("Engagement", "Versement"):
        auteur = schema[nom]["properties"]["auteur"]
        assert (auteur["type"], auteur["nullable"], auteur["readOnly"]) == ("string", True, True)
        assert "identifiant" in auteur["description"]


@pytest.mark.parametrize(
    ("lecteur", "attendu"),
    [("charge", LOGIN), ("directeur", "Chargé·e de programme"), ("partenaire", "Chargé·e de programme"),
     (None, "Chargé·e de programme")],
)  # fmt: skip
def test_one_rule_for_who_reads_which_name(lecteur, attendu):
    auteur = compte("charge", username=LOGIN)
    assert auteur_pour(auteur, compte(lecteur) if lecteur else None) == attendu


def test_an_account_without_a_role_is_named_as_such():
    from django.contrib.auth import get_user_model

    sans_profil = get_user_model().objects.create_user(LOGIN)
    assert auteur_pour(sans_profil, None) == "Compte du portail"
    assert auteur_pour(None, None) is None


def test_a_page_renders_the_author_for_its_reader():
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    gabarit = Template("{% load comptes %}{{ auteur|auteur_pour_lecteur:user }}")
    auteur = compte("charge", username=LOGIN)
    for lecteur, attendu in [(compte("charge"), LOGIN), (AnonymousUser(), "Chargé·e de programme"),
                             ("", "Chargé·e de programme")]:  # fmt: skip
        assert gabarit.render(Context({"auteur": auteur, "user": lecteur})) == attendu
