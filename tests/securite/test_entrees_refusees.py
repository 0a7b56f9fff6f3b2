"""The hostile inputs once answered by a 500, each now refused with a French 400 (or a page that renders)."""

import html
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.urls import get_resolver

from config.parseurs import PROFONDEUR_MAX
from financements.models import Engagement
from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db
RACINE = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def charge() -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {jeton(compte('charge'))}", raise_request_exception=False)


def anonyme() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "url", ["/projets/?search=%00", "/projets/?page=1%002", "/?%00=1", "/projets/biovallee/?x%00=1"]
)
def test_a_nul_in_a_query_outside_the_api_is_a_french_400_page(url):
    response = anonyme().get(url)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Requête invalide" in response.content.decode()
    assert "Caractère nul interdit" in response.content.decode()


@pytest.mark.parametrize("url", ["/financements/regions/%00/", "/projets/bio%00vallee/", "/indicateurs/%00/"])
def test_a_nul_in_the_path_is_a_french_400_page_for_every_role(client, url):
    for role in ("directeur", "charge"):
        client.force_login(compte(role))
        response = client.get(url)

        assert response.status_code == 400, role
        assert "Caractère nul interdit dans l'adresse" in html.unescape(response.content.decode())


@pytest.mark.parametrize("url", ["/api/v1/projets/%00/", "/api/v1/regions/%00/financements/", "/api/schema/?x=%00"])
def test_a_nul_anywhere_under_the_api_is_a_json_400(charge, url):
    response = charge.get(url)

    assert response.status_code == 400
    assert "Caractère nul interdit" in json.dumps(response.json(), ensure_ascii=False)


@pytest.mark.postgresql
def test_the_nul_search_reached_postgresql_before(postgresql):
    # Why the guard sits in front of every view: PostgreSQL refuses the text outright.
    from laureats.models import Projet

    with pytest.raises(ValueError, match="NUL"):
        list(Projet.objects.filter(titre__icontains="\x00"))
    assert connection.vendor == "postgresql"


@pytest.mark.parametrize(
    "valeur", ["2020-01-01T00:00:00+99:00", "2020-01-01T00:00:00-24:00", "2020-01-01T00:00:00+24:30", "2021-02-30"]
)
def test_updated_since_out_of_range_is_a_400_naming_the_field(valeur):
    response = anonyme().get("/api/v1/projets/", {"updated_since": valeur})

    assert response.status_code == 400
    assert "hors des limites" in response.json()["errors"]["updated_since"][0]


@pytest.mark.parametrize("niveaux", [PROFONDEUR_MAX + 1, 1_000, 100_000])
def test_deep_json_is_a_400_and_writes_nothing(charge, niveaux):
    profond = "[" * niveaux + "]" * niveaux
    corps = '{"projet": ' + profond + ', "enveloppe": "subvention", "montant": "1.00", "date": "2024-03-01"}'
    avant = Engagement.objects.count()

    for body in (profond, corps):
        response = charge.post("/api/v1/engagements/", body, content_type="application/json")

        assert response.status_code == 400
        assert "JSON trop imbriqué" in response.json()["detail"]
    assert Engagement.objects.count() == avant


def test_json_at_the_depth_limit_still_parses(charge):
    profond = "[" * (PROFONDEUR_MAX - 1) + "]" * (PROFONDEUR_MAX - 1)  # the object around it is the last level
    response = charge.post("/api/v1/engagements/", '{"projet": ' + profond + "}", content_type="application/json")

    assert response.status_code == 400
    assert "JSON trop imbriqué" not in json.dumps(response.json(), ensure_ascii=False)


@pytest.fixture
def manifeste_vide(tmp_path):
    """The production storage, with a manifest that lacks every file (no collectstatic, or a stale one)."""
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    with override_settings(
        STATIC_ROOT=tmp_path,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
    ):
        # Django's setting_changed handler reopens the static storage on entry and on exit.
        from django.templatetags.static import static

        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            static("dsfr/dist/dsfr/dsfr.min.css")
        yield


@pytest.mark.parametrize(
    ("url", "statut", "titre"),
    [
        ("/nulle-part/", 404, "Page non trouvée"),
        ("/projets/%01%0a/", 404, "Page non trouvée"),
        ("/projets/%00/", 400, "Requête invalide"),
        ("/projets/?search=%00", 400, "Requête invalide"),
    ],
)
def test_error_pages_render_when_a_static_file_is_missing_from_the_manifest(manifeste_vide, url, statut, titre):
    response = anonyme().get(url)

    assert response.status_code == statut
    assert titre in response.content.decode()


@pytest.mark.parametrize(
    ("statut", "titre"), [(400, "Requête invalide"), (403, "Accès refusé"), (500, "Erreur du serveur")]
)
def test_every_error_handler_renders_when_a_static_file_is_missing(manifeste_vide, statut, titre):
    request = RequestFactory().get("/projets/%01/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    handler = get_resolver().resolve_error_handler(statut)

    response = handler(request) if statut == 500 else handler(request, exception=None)

    assert response.status_code == statut
    assert titre in response.content.decode()


def test_the_api_error_handlers_answer_json():
    response = get_resolver().resolve_error_handler(500)(RequestFactory().get("/api/v1/projets/"))

    assert response.status_code == 500 and response["Content-Type"] == "application/problem+json"
    corps = json.loads(response.content)
    assert corps["detail"] == "Erreur du serveur." and corps["status"] == 500


def test_the_fuzzer_serves_the_collected_static_files_as_production_does():
    # Without collectstatic the manifest is empty and every HTML page the fuzzer reaches is a 500.
    script = (RACINE / "scripts" / "fuzz_api.sh").read_text()

    assert "manage.py collectstatic --no-input" in script
    assert script.index("manage.py collectstatic") < script.index("gunicorn config.wsgi")


@pytest.mark.parametrize(
    ("methode", "url"),
    [
        ("get", "/api/v1/regions/84/financements.json/"),
        ("get", "/api/v1/indicateurs/{code}/evaluations.json/"),
        ("post", "/api/v1/engagements/00000000-0000-0000-0000-000000000000/desengagements.json/"),
        ("post", "/api/v1/versements/00000000-0000-0000-0000-000000000000/annulations.json/"),
        ("post", "/api/v1/mesures.json/"),
        ("post", "/api/v1/mesures/00000000-0000-0000-0000-000000000000/valider.json/"),
        ("post", "/api/v1/mesures/00000000-0000-0000-0000-000000000000/rejeter.json/"),
    ],
)
def test_the_format_suffix_reaches_every_action_of_the_api(charge, methode, url):
    # The router adds `.json` and `.csv` to every route, actions included; DRF passes it as `format`.
    from indicateurs.models import Indicateur

    url = url.format(code=Indicateur.objects.order_by("pk").first().code)

    response = charge.get(url) if methode == "get" else charge.post(url, "{}", content_type="application/json")

    assert response.status_code in (200, 400, 404)


@pytest.mark.parametrize("vue", ["change", "delete", "history"])
def test_an_empty_to_field_in_the_admin_is_a_400(client, vue):
    from django.contrib.auth import get_user_model

    from laureats.models import Projet

    client.force_login(get_user_model().objects.create_superuser("admin-to-field", "a@example.org", "x"))
    url = f"/admin/laureats/projet/{Projet.objects.order_by('pk').first().pk}/{vue}/"

    assert client.get(url + "?_to_field=").status_code == 400
    assert client.post(url, {"_to_field": "", "post": "yes"}).status_code == 400
    assert client.get(url + "?_to_field=id").status_code in (200, 403)  # a field named: the view decides
