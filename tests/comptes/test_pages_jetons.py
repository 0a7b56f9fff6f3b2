"""/mon-espace/jetons/: a token is created with a name, shown once, opens the API, and is revoked after confirmation."""

import html
import re

import pytest
from django.test import Client

from comptes.models import JetonAPI, empreinte_de
from comptes.services import jeton_create
from tests.indicateurs.factories import compte

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_created_token_is_shown_once_opens_the_api_and_its_last_use_is_listed():
    partenaire = compte("partenaire")
    client = _client(partenaire)

    reponse = client.post("/mon-espace/jetons/", {"nom": "synchronisation nocturne"})

    assert reponse.status_code == 201
    assert "no-store" in reponse["Cache-Control"]
    clair = re.search(r'id="jeton-clair" type="text" readonly value="([^"]+)"', reponse.content.decode()).group(1)
    jeton = JetonAPI.objects.get(user=partenaire)
    assert (jeton.nom, jeton.empreinte, jeton.prefixe) == ("synchronisation nocturne", empreinte_de(clair), clair[:8])
    assert "Copiez-le maintenant" in reponse.content.decode()
    # Only the fingerprint is stored, and the list never shows the token again.
    assert not JetonAPI.objects.filter(empreinte=clair).exists()
    liste = client.get("/mon-espace/jetons/").content.decode()
    assert clair not in liste and f"{clair[:8]}…" in liste and "jamais" in liste

    assert Client().get("/api/v1/periodes/", HTTP_AUTHORIZATION=f"Token {clair}").status_code == 200

    jeton.refresh_from_db()
    assert jeton.derniere_utilisation is not None
    assert (
        jeton.derniere_utilisation.astimezone().strftime("%d/%m/%Y")
        in client.get("/mon-espace/jetons/").content.decode()
    )


def test_a_revoked_token_no_longer_opens_the_api():
    partenaire = compte("partenaire")
    jeton, clair = jeton_create(user=partenaire, nom="poste de travail")
    client = _client(partenaire)

    confirmation = client.get(f"/mon-espace/jetons/{jeton.pk}/revoquer/")
    assert confirmation.status_code == 200 and "Révoquer définitivement" in confirmation.content.decode()
    jeton.refresh_from_db()
    assert jeton.revoque_le is None  # asking is not revoking

    reponse = client.post(f"/mon-espace/jetons/{jeton.pk}/revoquer/", follow=True)

    assert reponse.redirect_chain == [("/mon-espace/jetons/", 302)]
    assert "révoqué : il n'ouvre plus l'API" in html.unescape(reponse.content.decode())
    jeton.refresh_from_db()
    assert jeton.revoque_le is not None
    assert Client().get("/api/v1/periodes/", HTTP_AUTHORIZATION=f"Token {clair}").status_code == 401
    # A second revocation keeps the first date.
    revoque_le = jeton.revoque_le
    client.post(f"/mon-espace/jetons/{jeton.pk}/revoquer/")
    jeton.refresh_from_db()
    assert jeton.revoque_le == revoque_le


def test_a_name_already_given_is_a_french_error_next_to_the_field():
    partenaire = compte("partenaire")
    jeton_create(user=partenaire, nom="sync")

    reponse = _client(partenaire).post("/mon-espace/jetons/", {"nom": "sync"})

    assert reponse.status_code == 200
    erreur = re.search(r'id="id_nom-erreur">(.*?)</p>', reponse.content.decode(), re.S).group(1)
    assert "Un jeton nommé « sync » existe déjà" in erreur
    assert JetonAPI.objects.filter(user=partenaire).count() == 1


def test_someone_elses_token_is_a_404_and_anonymous_users_log_in_first():
    jeton, _ = jeton_create(user=compte("charge"), nom="jeton-de-la-charge")
    client = _client(compte("partenaire"))

    assert client.get(f"/mon-espace/jetons/{jeton.pk}/revoquer/").status_code == 404
    assert client.post(f"/mon-espace/jetons/{jeton.pk}/revoquer/").status_code == 404
    jeton.refresh_from_db()
    assert jeton.revoque_le is None
    assert "jeton-de-la-charge" not in client.get("/mon-espace/jetons/").content.decode()
    assert Client().get("/mon-espace/jetons/").status_code == 302


@pytest.mark.parametrize("role", ["charge", "directeur", "partenaire"])
def test_every_role_manages_its_tokens_in_pinned_queries(role, django_assert_num_queries):
    user = compte(role)
    for n in range(5):
        jeton_create(user=user, nom=f"jeton {n}")
    client = _client(user)
    # session, user, profile, the tokens
    with django_assert_num_queries(4):
        reponse = client.get("/mon-espace/jetons/")
    assert reponse.content.decode().count("data-jeton=") == 5
