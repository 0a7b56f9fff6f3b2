"""Every HTML page carries a Content-Security-Policy that runs no inline script.

Without a browser: the header is on each page of each role, the admin and the API docs,
its script-src has neither 'unsafe-inline' nor 'unsafe-eval', and every <script> of the
page is either a file or bears the nonce of that response's header. No inline event
handler, javascript: URL, <style> block or style attribute either (style-src is 'self').
The browser walks (test_navigateur.py) check that Chromium reports no violation.
"""

from html.parser import HTMLParser

import pytest
from django.test import Client

from indicateurs.models import Indicateur
from laureats.models import Projet
from tests.factories import compte

pytestmark = pytest.mark.django_db

# The pages each role reaches (status 200), plus a refusal (403) and an unknown path (404).
PAGES_PUBLIQUES = ["/", "/projets/", "/projets/biovallee/", "/indicateurs/", "/connexion/", "/api/docs/"]
PAGES_CHARGE = [
    "/financements/",
    "/financements/regions/84/",
    "/financements/grand-livre/",
    "/projets/biovallee/modifier/",
    "/projets/biovallee/historique/",
    "/projets/biovallee/partenaires/",
    "/projets/biovallee/objectifs/modifier/",
    "/projets/biovallee/engagements/nouveau/",
    "/projets/biovallee/conventions/nouvelle/",
    "/indicateurs/mesures/a-valider/",
]
PAGES_ADMIN = ["/admin/", "/admin/laureats/projet/", "/admin/laureats/projet/{projet}/change/", "/admin/auth/user/add/"]


class Balises(HTMLParser):
    """The script tags and the inline code (handlers, javascript: URLs, styles) of a page."""

    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self.inline: list[str] = []
        self._dans_script = False

    def handle_starttag(self, tag, attrs):
        attributs = dict(attrs)
        if tag == "script":
            self.scripts.append(attributs)
        if tag == "style":
            self.inline.append("<style>")
        for nom, valeur in attrs:
            if nom.startswith("on"):
                self.inline.append(f"<{tag} {nom}>")
            elif nom == "style":
                self.inline.append(f"<{tag} style>")
            elif nom in ("href", "src", "action", "formaction") and (valeur or "").strip().lower().startswith(
                "javascript:"
            ):
                self.inline.append(f"<{tag} {nom}=javascript:>")


def directives(response) -> dict[str, list[str]]:
    assert "Content-Security-Policy" in response, f"{response.request['PATH_INFO']} : pas d'en-tête CSP"
    politique = {}
    for directive in response["Content-Security-Policy"].split(";"):
        nom, *valeurs = directive.split()
        politique[nom] = valeurs
    return politique


def verifier(client: Client, chemin: str, statut: int = 200) -> None:
    response = client.get(chemin)
    assert response.status_code == statut, f"{chemin} : {response.status_code}"
    assert response["Content-Type"].startswith("text/html"), chemin
    politique = directives(response)
    scripts = politique.get("script-src", politique.get("default-src"))
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, (chemin, scripts)
    assert "'unsafe-inline'" not in politique["style-src"], (chemin, politique["style-src"])
    assert politique["object-src"] == ["'none'"] and politique["frame-ancestors"] == ["'none'"], chemin
    assert politique["base-uri"] == ["'self'"] and politique["form-action"] == ["'self'"], chemin
    nonces = {v[len("'nonce-") : -1] for v in scripts if v.startswith("'nonce-")}
    balises = Balises()
    balises.feed(response.content.decode())
    assert balises.scripts, f"{chemin} : aucun script (la page DSFR en a toujours)"
    for script in balises.scripts:
        assert script.get("src") or (script.get("nonce") and script["nonce"] in nonces), (chemin, script)
    assert not balises.inline, (chemin, balises.inline)


def connecte(role: str, **kwargs) -> Client:
    client = Client()
    client.force_login(compte(role, **kwargs))
    return client


@pytest.mark.parametrize("chemin", PAGES_PUBLIQUES)
def test_every_public_page_has_a_policy_without_inline_scripts(client, chemin):
    verifier(client, chemin)


@pytest.mark.parametrize("chemin", PAGES_CHARGE)
def test_every_officer_page_has_a_policy_without_inline_scripts(chemin):
    verifier(connecte("charge"), chemin)


def test_an_indicator_page_the_director_dashboard_and_the_error_pages_have_the_policy():
    verifier(Client(), f"/indicateurs/{Indicateur.objects.order_by('code').first().code}/")
    verifier(connecte("directeur", regions=["84"]), "/financements/regions/84/")
    verifier(connecte("partenaire"), "/projets/biovallee/modifier/", statut=403)
    verifier(Client(), "/projets/inconnu/", statut=404)


@pytest.mark.parametrize("chemin", PAGES_ADMIN)
def test_every_admin_page_has_a_policy_without_inline_scripts(admin_client, chemin):
    verifier(admin_client, chemin.format(projet=Projet.objects.get(slug="biovallee").pk))


def test_the_api_docs_load_swagger_ui_and_its_start_up_script_as_files_of_the_site():
    client = Client()
    balises = Balises()
    balises.feed(client.get("/api/docs/").content.decode())
    sources = [s["src"] for s in balises.scripts if s.get("src")]
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources), sources
    demarrage = [s for s in sources if s.endswith("js/api_docs.js")]
    assert len(demarrage) == 1, sources
    assert all(s.startswith("/static/") for s in sources), sources
