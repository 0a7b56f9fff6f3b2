"""python manage.py creer_compte, as DESIGN.md fixes it."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from comptes.models import JetonAPI

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("creer_compte", *args, stdout=out)
    return out.getvalue().splitlines()


def test_with_jeton_the_token_is_printed_alone_on_the_last_line_and_works():
    lines = run("marie", "--role", "charge", "--jeton")

    token = lines[-1]
    assert " " not in token and len(token) >= 40
    response = Client(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/engagements/")
    assert response.status_code == 200


def test_the_token_is_stored_hashed_not_in_clear():
    token = run("paul", "--role", "directeur", "--region", "53", "--region", "52", "--jeton")[-1]
    stored = JetonAPI.objects.get(user__username="paul")
    assert token not in {stored.empreinte, stored.prefixe} and stored.prefixe == token[:8]


def test_a_director_gets_their_regions_and_a_partner_their_organisation():
    run("paul", "--role", "directeur", "--region", "53", "--region", "52")
    run("lea", "--role", "partenaire", "--organisation", "Association Biovallée")
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    assert sorted(users.get(username="paul").profil.regions.values_list("code", flat=True)) == ["52", "53"]
    assert users.get(username="lea").profil.organisation.nom == "Association Biovallée"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "directeur"], "au moins une région"),
        (["--role", "directeur", "--region", "99"], "inconnu"),
        (["--role", "partenaire"], "appartient à une organisation"),
        (["--role", "partenaire", "--organisation", "Inconnue SA"], "Organisation inconnue"),
    ],
)
def test_incomplete_or_unknown_scopes_are_refused_with_a_message(args, message):
    with pytest.raises(CommandError, match=message):
        run("x", *args)


def test_an_existing_username_is_refused():
    run("marie", "--role", "charge")
    with pytest.raises(CommandError, match="déjà pris"):
        run("marie", "--role", "charge")


def test_with_a_password_the_user_can_log_in_to_the_portal():
    run("marie", "--role", "charge", "--mot-de-passe", "Un-mot-de-passe-solide-42")
    response = Client().post("/connexion/", {"username": "marie", "password": "Un-mot-de-passe-solide-42"})
    assert response.status_code == 302
