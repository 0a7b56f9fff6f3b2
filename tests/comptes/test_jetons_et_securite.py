"""Tokens (named, several, revocable, hashed, last use), login lockout, throttles, audit of API writes."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.settings import api_settings

from comptes.models import JetonAPI
from comptes.services import compte_create
from financements.models import Engagement
from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_user_creates_several_named_tokens_and_sees_them_without_their_secret():
    user = compte("partenaire")
    client = Client(HTTP_AUTHORIZATION=f"Token {jeton(user)}")

    created = client.post("/api/v1/jetons/", {"nom": "synchronisation nocturne"}, content_type="application/json")

    assert created.status_code == 201
    secret = created.json()["jeton"]
    assert Client(HTTP_AUTHORIZATION=f"Token {secret}").get("/api/v1/jetons/").status_code == 200
    listed = client.get("/api/v1/jetons/").json()["results"]
    assert {t["nom"] for t in listed} == {"tests", "synchronisation nocturne"}
    assert all("jeton" not in t for t in listed)
    assert not JetonAPI.objects.filter(empreinte=secret).exists()


def test_a_duplicate_token_name_is_a_400():
    client = Client(HTTP_AUTHORIZATION=f"Token {jeton(compte('charge'))}")
    response = client.post("/api/v1/jetons/", {"nom": "tests"}, content_type="application/json")
    assert response.status_code == 400 and "nom" in response.json()["errors"]


def test_a_revoked_token_stops_working_and_another_users_token_is_a_404():
    user = compte("directeur")
    client = Client(HTTP_AUTHORIZATION=f"Token {jeton(user)}")
    second = client.post("/api/v1/jetons/", {"nom": "second"}, content_type="application/json").json()
    other = JetonAPI.objects.get(user=user, nom="second")

    assert client.delete(f"/api/v1/jetons/{other.prefixe}/").status_code == 204
    assert Client(HTTP_AUTHORIZATION=f"Token {second['jeton']}").get("/api/v1/jetons/").status_code == 401
    assert JetonAPI.objects.get(pk=other.pk).revoque_le is not None

    someone_else = compte("charge")
    jeton(someone_else)
    foreign = JetonAPI.objects.get(user=someone_else)
    assert client.delete(f"/api/v1/jetons/{foreign.prefixe}/").status_code == 404
    assert JetonAPI.objects.get(pk=foreign.pk).revoque_le is None


def test_the_last_use_of_a_token_is_recorded():
    user = compte("partenaire")
    Client(HTTP_AUTHORIZATION=f"Token {jeton(user)}").get("/api/v1/projets/")
    assert JetonAPI.objects.get(user=user).derniere_utilisation is not None


def test_a_malformed_token_header_is_a_401_even_on_public_data():
    assert Client(HTTP_AUTHORIZATION="Token pas-un-jeton").get("/api/v1/projets/").status_code == 401


def test_login_is_locked_after_ten_failures_even_with_the_right_password():
    compte_create(username="marie", role="charge", mot_de_passe="Mot-de-passe-solide-42")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/connexion/", {"username": "marie", "password": "faux"})
        assert response.status_code == 200
    assert client.post("/connexion/", {"username": "marie", "password": "faux"}).status_code == 429

    response = client.post("/connexion/", {"username": "marie", "password": "Mot-de-passe-solide-42"})

    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_failure_count():
    compte_create(username="marie", role="charge", mot_de_passe="Mot-de-passe-solide-42")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/connexion/", {"username": "marie", "password": "faux"})
    assert client.post("/connexion/", {"username": "marie", "password": "Mot-de-passe-solide-42"}).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/connexion/", {"username": "marie", "password": "faux"})
    assert client.post("/connexion/", {"username": "marie", "password": "Mot-de-passe-solide-42"}).status_code == 302


def test_throttles_are_per_role_with_a_429_and_retry_after():
    rates = {"anonyme": "3/min", "partenaire": "5/min", "directeur": "1000/min", "charge": "1000/min"}
    partenaire = Client(HTTP_AUTHORIZATION=f"Token {jeton(compte('partenaire'))}")
    with override_settings(REST_FRAMEWORK={**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}):
        anonymous = [Client().get("/api/v1/enveloppes/").status_code for _ in range(4)]
        partner = [partenaire.get("/api/v1/enveloppes/") for _ in range(6)]

    assert anonymous == [200, 200, 200, 429]
    assert [r.status_code for r in partner] == [200] * 5 + [429]
    assert int(partner[-1]["Retry-After"]) > 0
    assert "detail" in partner[-1].json()


def test_an_api_write_is_in_the_history_with_the_user_and_the_token_name():
    user = compte("charge")
    client = Client(HTTP_AUTHORIZATION=f"Token {jeton(user)}")

    # Equity: a subsidy is committed through a convention, not this endpoint.
    response = client.post(
        "/api/v1/engagements/",
        {"projet": "biovallee", "enveloppe": "investissement", "montant": "10.00", "date": "2024-01-01",
         "reference": "R", "motif": "M"},
        content_type="application/json",
    )  # fmt: skip

    record = Engagement.history.get(uid=response.json()["uid"])
    assert record.history_user == user
    assert record.history_change_reason == "API — jeton « tests »"
