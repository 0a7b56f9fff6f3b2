"""python manage.py creer_compte, as DESIGN.md fixes it."""

import io
import os

import pytest
from django.contrib.auth import get_user_model
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


SOLIDE = "Un-mot-de-passe-solide-42"


def se_connecte(username: str, password: str, client: Client | None = None) -> bool:
    """Logs in through the portal's login page (axes refuses Client.login(), which has no request)."""
    return (client or Client()).post("/connexion/", {"username": username, "password": password}).status_code == 302


@pytest.fixture
def saisie(monkeypatch):
    """What the officer types at the two getpass prompts."""
    reponses = []
    monkeypatch.setattr("laureats.management.commands.creer_compte.getpass.getpass", lambda prompt: reponses.pop(0))
    return reponses


def test_without_a_password_the_account_is_for_the_api_only():
    run("marie", "--role", "charge")
    assert not get_user_model().objects.get(username="marie").has_usable_password()


def test_the_password_typed_twice_at_the_terminal_lets_the_user_log_in(saisie):
    saisie += [SOLIDE, SOLIDE]
    assert "portail et API" in run("marie", "--role", "charge", "--mot-de-passe")[0]
    assert se_connecte("marie", SOLIDE)


def test_two_different_typings_are_refused_and_nothing_is_written(saisie):
    saisie += [SOLIDE, SOLIDE + "x"]
    with pytest.raises(CommandError, match="diffèrent"):
        run("marie", "--role", "charge", "--mot-de-passe")
    assert not get_user_model().objects.filter(username="marie").exists()


def test_the_password_read_from_standard_input():
    args = ("creer_compte", "marie", "--role", "charge", "--mot-de-passe-stdin")
    call_command(*args, stdin=io.StringIO(SOLIDE + "\n"), stdout=io.StringIO())
    assert se_connecte("marie", SOLIDE)


def test_the_password_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CREER_COMPTE_MOT_DE_PASSE", SOLIDE)
    run("marie", "--role", "charge")
    assert se_connecte("marie", SOLIDE)


def test_an_empty_password_variable_is_refused_rather_than_read_as_api_only(monkeypatch):
    monkeypatch.setenv("CREER_COMPTE_MOT_DE_PASSE", "")
    with pytest.raises(CommandError, match="définie mais vide"):
        run("marie", "--role", "charge")
    assert not get_user_model().objects.filter(username="marie").exists()


def test_a_password_on_the_command_line_is_refused_with_a_message_not_repeating_it():
    with pytest.raises(CommandError, match="ne prend plus de valeur") as refus:
        run("marie", "--role", "charge", "--mot-de-passe", SOLIDE)
    assert SOLIDE not in str(refus.value)
    assert not get_user_model().objects.filter(username="marie").exists()


def test_two_sources_of_password_are_refused(monkeypatch):
    monkeypatch.setenv("CREER_COMPTE_MOT_DE_PASSE", SOLIDE)
    with pytest.raises(CommandError, match="Un seul moyen"):
        call_command("creer_compte", "marie", "--role", "charge", "--mot-de-passe-stdin", stdin=io.StringIO(SOLIDE))


@pytest.mark.parametrize(
    ("username", "mot_de_passe", "message"),
    [
        ("marie", "a", "trop court"),
        ("marie", "123456", "entièrement numérique"),
        ("marie", "motdepasse", "trop courant"),
        ("marie.dupont", "marie.dupont", "trop semblable"),
    ],
)
def test_weak_passwords_are_refused_with_the_validators_french_messages_and_nothing_is_written(
    monkeypatch, username, mot_de_passe, message
):
    monkeypatch.setenv("CREER_COMPTE_MOT_DE_PASSE", mot_de_passe)
    with pytest.raises(CommandError, match=message) as refus:
        run(username, "--role", "partenaire", "--organisation", "Association Biovallée", "--jeton")
    assert "Aucun compte n'a été créé" in str(refus.value)
    assert not get_user_model().objects.filter(username=username).exists()
    assert not JetonAPI.objects.exists()


def test_a_password_like_the_users_own_name_is_refused(monkeypatch):
    monkeypatch.setenv("CREER_COMPTE_MOT_DE_PASSE", "Durandal-Marie")
    with pytest.raises(CommandError, match="trop semblable"):
        run("m42", "--role", "charge", "--prenom", "Marie", "--nom", "Durandal-Marie")


@pytest.mark.postgresql
def test_the_command_exits_non_zero_on_a_weak_password(postgresql):
    """Through manage.py, as a script would call it: exit status 1 and the message on stderr."""
    import subprocess
    import sys

    from django.conf import settings
    from django.db import connection

    base = connection.settings_dict
    environnement = {
        **os.environ,
        "CREER_COMPTE_MOT_DE_PASSE": "123456",
        "DATABASE_URL": f"postgres://{base['USER']}@{base['HOST']}:{base['PORT']}/{base['NAME']}",
    }
    fini = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "creer_compte", "x", "--role", "charge"],
        capture_output=True, text=True, env=environnement, timeout=120,
    )  # fmt: skip
    assert fini.returncode == 1
    assert "entièrement numérique" in fini.stderr


def test_an_administrator_is_an_officer_who_can_open_the_admin(saisie):
    saisie += [SOLIDE, SOLIDE]
    run("admin-marie", "--role", "charge", "--administrateur", "--mot-de-passe", "--prenom", "Marie")
    client = Client()
    assert se_connecte("admin-marie", SOLIDE, client)
    assert client.get("/admin/financements/engagement/").status_code == 200
    user = get_user_model().objects.get(username="admin-marie")
    assert (user.is_superuser, user.profil.role) == (True, "charge")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "directeur", "--region", "84", "--administrateur"], "Seul·e un·e chargé·e"),
        (["--role", "charge", "--administrateur"], "un mot de passe est nécessaire"),
    ],
)
def test_an_administrator_is_an_officer_with_a_password(args, message):
    with pytest.raises(CommandError, match=message):
        run("x", *args)
    assert not get_user_model().objects.filter(username="x").exists()


def test_a_username_the_model_refuses_is_refused_before_anything_is_written():
    with pytest.raises(CommandError, match="username"):
        run("marie dupont", "--role", "charge")
    assert not get_user_model().objects.exists()
