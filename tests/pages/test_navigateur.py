"""Browser walks in headless Chromium: each role logs in and follows the portal's main paths.

Screenshots land in artefacts/screenshots/ and downloads in artefacts/telechargements/.
Every request the browser makes is recorded: none may leave the machine; every page
screenshotted is first audited with axe-core against WCAG 2.1 A and AA. The pages run under
the Content-Security-Policy the portal sends: every violation Chromium reports, on any page
of a walk, fails the test.
"""

import csv
import io
import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from openpyxl import load_workbook

from financements.models import Engagement
from laureats.models import Partenariat, Projet

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(settings.BASE_DIR) / "artefacts"
# axe-core (npm, installed by `make installer`) audits each page against WCAG 2.1 A and AA.
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Run in every document before its own scripts: each CSP violation is passed to the test.
ECOUTE_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.violationCSP(`${e.documentURI} : ${e.effectiveDirective} bloque ${e.blockedURI || "du code en ligne"}`
    + (e.sample ? ` (${e.sample})` : ""));
}, true);
"""
MOT_DE_PASSE = "un-mot-de-passe-de-test-42"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        # CI installs chromium (.ci/run): a missing browser there is a failure, not a skip.
        raise RuntimeError(f"{CHROMIUM} introuvable : la CI doit installer le paquet Debian chromium.")
    pytest.skip(
        f"{CHROMIUM} absent : `apt-get install chromium` pour lancer les tests dans le navigateur.",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright n'est pas installé (make installer)")

pytestmark = [pytest.mark.navigateur, pytest.mark.usefixtures("programme_charge")]


@pytest.fixture(scope="module")
def navigateur():
    # Playwright's sync API keeps an event loop running in this thread, which makes
    # Django refuse ORM calls from the test body; the live server runs in its own thread.
    avant = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        yield browser
        browser.close()
    if avant is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = avant


class Visite:
    """A browser tab on the live server that records requests and takes numbered screenshots."""

    def __init__(self, browser, base_url: str, nom: str, **contexte):
        self.base_url, self.nom, self.n = base_url, nom, 0
        self.context = browser.new_context(locale="fr-FR", accept_downloads=True, **contexte)
        self.page = self.context.new_page()
        self.requetes: list[str] = []
        self.erreurs_js: list[str] = []
        self.violations_csp: list[str] = []
        # The policy is enforced (Playwright's bypass_csp stays off): axe-core is loaded by
        # the browser itself in every document, since a <script> added inline would be blocked.
        self.context.expose_function("violationCSP", lambda texte: self.violations_csp.append(texte))
        self.context.add_init_script(script=ECOUTE_CSP)
        assert AXE.exists(), "axe-core n'est pas installé : lancez `make installer` (npm ci)."
        self.context.add_init_script(path=str(AXE))
        self.page.on("request", lambda r: self.requetes.append(r.url))
        self.page.on("pageerror", lambda e: self.erreurs_js.append(str(e)))
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations_csp.append(f"{self.page.url} (console) : {message.text}")

    def aller(self, chemin: str, statut: int = 200):
        response = self.page.goto(self.base_url + chemin)
        assert response.status == statut, f"{chemin} : {response.status}"
        politique = dict(d.strip().split(" ", 1) for d in response.header_value("content-security-policy").split(";"))
        assert "unsafe" not in politique["script-src"] and politique["default-src"] == "'self'", chemin
        return response

    def verifier_csp(self) -> None:
        """No page visited so far broke the Content-Security-Policy."""
        self.page.evaluate("() => new Promise((fin) => requestAnimationFrame(() => setTimeout(fin)))")
        assert not self.violations_csp, "\n".join(self.violations_csp)

    def capture(self, etape: str) -> Path:
        """A full-page screenshot, after an accessibility audit of the page and a check of its policy."""
        self.verifier_accessibilite()
        self.verifier_csp()
        self.n += 1
        chemin = ARTEFACTS / "screenshots" / f"{self.nom}-{self.n:02d}-{etape}.png"
        chemin.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(chemin), full_page=True)
        return chemin

    def connecter(self, username: str) -> None:
        self.aller("/connexion/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", MOT_DE_PASSE)
        self.capture("connexion")
        self.page.locator("main").get_by_role("button", name="Se connecter").click()
        self.page.wait_for_load_state()

    def telecharger(self, lien: str) -> Path:
        with self.page.expect_download() as attente:
            self.page.get_by_role("link", name=lien).click()
        download = attente.value
        chemin = ARTEFACTS / "telechargements" / f"{self.nom}-{download.suggested_filename}"
        chemin.parent.mkdir(parents=True, exist_ok=True)
        download.save_as(str(chemin))
        return chemin

    def verifier_accessibilite(self) -> None:
        # DSFR Chart's map is a third-party component; its data is also in a table on the page.
        # No preload: axe would read the sheets of the map's shadow root by writing <style>
        # elements into the page, which the Content-Security-Policy rightly blocks.
        violations = self.page.evaluate(
            """async (tags) => (await axe.run({exclude: [["map-chart"]]},
                                              {runOnly: {type: "tag", values: tags}, preload: false}))
                .violations.map(v => `${v.id} (${v.impact}) : ${v.help} — ${v.nodes.map(n => n.target).join(", ")}`)""",
            WCAG,
        )
        assert not violations, f"{self.page.url} :\n" + "\n".join(violations)

    def verifier_tout_local(self) -> None:
        """No request left the machine: every http(s) request went to the live server on 127.0.0.1."""
        externes = [u for u in self.requetes if urlparse(u).scheme in ("http", "https", "ws", "wss")
                    and urlparse(u).hostname != "127.0.0.1"]  # fmt: skip
        assert self.requetes and not externes, externes
        assert not self.erreurs_js, self.erreurs_js
        self.verifier_csp()

    def fermer(self) -> None:
        self.context.close()


@pytest.fixture(scope="module", autouse=True)
def _artefacts_propres():
    shutil.rmtree(ARTEFACTS / "screenshots", ignore_errors=True)


@pytest.fixture
def visite(navigateur, live_server):
    ouvertes = []

    def ouvrir(nom: str, **contexte) -> Visite:
        v = Visite(navigateur, live_server.url, nom, **contexte)
        ouvertes.append(v)
        return v

    yield ouvrir
    for v in ouvertes:
        v.fermer()


def compte_avec_mot_de_passe(role: str, username: str, **kwargs):
    from tests.factories import compte

    return compte(role, username=username, mot_de_passe=MOT_DE_PASSE, **kwargs)


def test_the_home_page_draws_its_map_offline_with_dsfr_styles_on_desktop_and_mobile(visite):
    carte_js = Path(settings.BASE_DIR) / "static" / "vendor" / "dsfr-chart" / "MapChart.js"
    assert carte_js.exists(), "La carte DSFR Chart n'est pas installée : lancez `make installer` (npm ci)."
    v = visite("public")
    v.aller("/")
    # Keyboard: the first Tab reaches the skip links, which lead to the content.
    v.page.keyboard.press("Tab")
    assert v.page.evaluate("() => document.activeElement.textContent.trim()") == "Contenu"
    v.page.keyboard.press("Enter")
    v.page.wait_for_url("**/#content")
    carte = v.page.locator("map-chart").first
    # The map's regions are coloured by the component from the page's data.
    v.page.wait_for_function(
        "() => document.querySelector('map-chart')?.shadowRoot?.querySelector('.FR-ARA')?.getAttribute('fill')"
    )
    assert carte.evaluate("m => m.shadowRoot.querySelectorAll('link[data-ti]').length") == 2
    # The DSFR stylesheet applies: the header uses Marianne, the DSFR's typeface, served locally.
    police = v.page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "Marianne" in police
    assert v.page.locator("h1").count() == 1
    v.capture("accueil")

    v.page.get_by_role("tab", name="Subventions prévues").click()
    v.page.wait_for_timeout(300)
    v.capture("accueil-carte-subventions")
    v.verifier_tout_local()

    mobile = visite("public-mobile", viewport={"width": 375, "height": 812}, is_mobile=True)
    mobile.aller("/projets/")
    assert mobile.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    mobile.capture("liste-mobile")
    mobile.page.get_by_role("button", name="Menu").click()
    assert mobile.page.get_by_role("link", name="Projets lauréats").first.is_visible()
    mobile.capture("menu-mobile")
    mobile.verifier_tout_local()


def test_the_api_docs_render_under_the_policy(visite):
    v = visite("api")
    v.aller("/")
    v.page.get_by_role("link", name="API et documentation").click()
    # Swagger UI draws the operations from the schema, fetched from the portal itself.
    v.page.wait_for_selector(".swagger-ui .opblock")
    assert "API Territoires d'Innovation" in v.page.locator(".swagger-ui .info .title").inner_text()
    v.page.locator(".swagger-ui .opblock-summary-control").first.click()
    v.page.wait_for_selector(".swagger-ui .opblock-body")
    v.verifier_tout_local()


def test_an_administrator_walks_the_admin_under_the_policy(visite):
    from django.contrib.auth import get_user_model

    from tests.factories import jeton

    jeton(get_user_model().objects.create_superuser("ada", password=MOT_DE_PASSE))
    projet = Projet.objects.get(slug="biovallee")
    v = visite("admin")
    v.aller("/admin/login/")
    v.page.fill("#id_username", "ada")
    v.page.fill("#id_password", MOT_DE_PASSE)
    v.page.get_by_role("button", name="Connexion").click()
    v.page.wait_for_load_state()
    assert urlparse(v.page.url).path == "/admin/"
    v.aller("/admin/laureats/projet/")
    v.page.fill("#searchbar", "vallée")
    v.page.locator("#changelist-search").get_by_role("button").click()
    v.page.get_by_role("link", name="BIOVALLÉE").click()
    assert urlparse(v.page.url).path == f"/admin/laureats/projet/{projet.pk}/change/"
    v.aller("/admin/comptes/jetonapi/")
    v.page.locator("#action-toggle").check()
    v.aller("/admin/auth/user/add/")
    v.aller("/admin/indicateurs/mesure/")
    v.verifier_tout_local()


def test_an_officer_filters_opens_edits_saves_and_reads_the_history(visite):
    compte_avec_mot_de_passe("charge", "claire")
    v = visite("charge")
    v.connecter("claire")
    assert v.page.url.endswith("/financements/")
    v.capture("tableau-de-bord")
    # The region picker opens the region's dashboard (static/js/navigation.js).
    v.page.select_option("#choix-region", label="Auvergne-Rhône-Alpes")
    v.page.wait_for_url("**/financements/regions/84/")

    # list → filter
    v.page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Projets lauréats").click()
    assert v.page.locator("tbody tr").count() == 10
    v.page.select_option("#id_region", label="Auvergne-Rhône-Alpes")
    v.page.fill("#recherche", "vallée")
    v.page.get_by_role("button", name="Filtrer").click()
    assert v.page.locator("tbody tr").count() == 1
    v.capture("liste-filtree")

    # → detail
    v.page.get_by_role("link", name="BIOVALLÉE").click()
    assert v.page.locator("h1").inner_text() == "BIOVALLÉE"
    v.capture("fiche")

    # → edit, with a refusal shown next to its field, then a save
    v.page.get_by_role("link", name="Modifier la fiche").click()
    v.page.fill("#id_nb_collectivites_declarees", "40")
    v.page.fill("#id_budget_previsionnel", "beaucoup")
    v.page.get_by_role("button", name="Enregistrer").click()
    assert v.page.locator("#id_budget_previsionnel-erreur").inner_text().startswith("Saisissez un montant")
    assert v.page.get_attribute("#id_budget_previsionnel", "aria-invalid") == "true"
    v.capture("fiche-erreurs")
    v.page.fill("#id_budget_previsionnel", "53 500 000,50")
    v.page.get_by_role("button", name="Enregistrer").click()
    assert "au plus 29" in v.page.locator("#id_nb_collectivites_declarees-erreur").inner_text()
    v.page.fill("#id_nb_collectivites_declarees", "4")
    v.page.fill("#id_titre", "BIOVALLÉE 2030")
    v.page.get_by_role("button", name="Enregistrer").click()
    assert v.page.locator("h1").inner_text() == "BIOVALLÉE 2030"
    assert "Fiche enregistrée." in v.page.locator(".fr-alert--success").inner_text()
    v.capture("fiche-enregistree")

    # partners: a new organisation, then removed
    v.page.get_by_role("link", name="Ajouter ou retirer des partenaires").click()
    v.page.fill("#id_ajout-nom", "Commune de Die")
    v.page.fill("#id_ajout-siren", "212601132")
    v.page.select_option("#id_ajout-role", "financeur")
    v.page.get_by_role("button", name="Ajouter le partenaire").click()
    assert v.page.get_by_role("rowheader", name="Commune de Die").is_visible()
    v.capture("partenaires")
    v.page.get_by_role("button", name="Retirer Commune de Die").click()
    assert v.page.get_by_role("rowheader", name="Commune de Die").count() == 0
    assert not Partenariat.objects.filter(organisation__nom="Commune de Die").exists()

    # objectives: the second one moves up
    v.aller("/projets/biovallee/objectifs/modifier/")
    deuxieme = v.page.locator("textarea").nth(1).input_value()
    v.page.get_by_role("button", name="Monter le texte n° 2").click()
    assert v.page.locator("textarea").first.input_value() == deuxieme
    v.capture("objectifs")

    # an equity commitment through the ledger form (a subsidy is committed by signing a convention)
    v.aller("/projets/biovallee/")
    v.page.get_by_role("link", name="Enregistrer un engagement").click()
    v.page.select_option("#id_enveloppe", "investissement")
    v.page.fill("#id_montant", "250000")
    v.page.fill("#id_date", "2024-05-02")
    v.page.fill("#id_reference", "CP-NAV-1")
    v.page.fill("#id_motif", "Prise de participation au capital de la SEM")
    v.page.get_by_role("button", name="Continuer").click()
    phrase = " ".join(v.page.locator("main").inner_text().replace("\u202f", " ").replace("\u00a0", " ").split())
    assert (
        "Vous allez engager 250 000,00 € sur BIOVALLÉE 2030 (Investissement en fonds propres (investissement avisé))"
        in phrase
    )
    assert not Engagement.objects.filter(reference="CP-NAV-1").exists()
    v.capture("engagement-a-confirmer")
    v.page.get_by_role("button", name="Confirmer l'écriture").click()
    assert "Écriture enregistrée au grand livre." in v.page.locator(".fr-alert--success").inner_text()
    assert "CP-NAV-1" in v.page.locator("main").inner_text()

    # → history
    v.page.get_by_role("link", name="Historique des modifications").click()
    tableau = v.page.locator("table").inner_text().lower()
    assert "claire" in tableau and "biovallée 2030" in tableau and "commune de die" in tableau
    assert "suppression" in tableau and "cp-nav-1" in tableau
    v.capture("historique")
    assert Projet.objects.get(slug="biovallee").titre == "BIOVALLÉE 2030"
    v.verifier_tout_local()


def test_a_director_lands_on_their_region_dashboard_exports_it_and_cannot_edit(visite):
    compte_avec_mot_de_passe("directeur", "denis", regions=["84"])
    v = visite("directeur")
    v.connecter("denis")
    assert v.page.url.endswith("/financements/regions/84/")
    assert v.page.locator("h1").inner_text() == "Financements — Auvergne-Rhône-Alpes"
    v.capture("tableau-de-bord-region")

    chemin_csv = v.telecharger("Exporter le tableau (CSV)")
    lignes = list(csv.reader(io.StringIO(chemin_csv.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert lignes[0][0] == "Projet" and {ligne[1] for ligne in lignes[1:]} == {"Auvergne-Rhône-Alpes"}
    chemin_xlsx = v.telecharger("Exporter le tableau (XLSX)")
    assert load_workbook(chemin_xlsx).active.max_row == len(lignes)

    v.aller("/projets/biovallee/")
    assert v.page.get_by_role("link", name="Modifier la fiche").count() == 0
    assert v.page.get_by_role("link", name="Enregistrer un engagement").count() == 0
    v.page.get_by_role("link", name="Historique des modifications").click()
    assert v.page.locator("h1").inner_text().startswith("Historique")
    v.aller("/projets/biovallee/modifier/", statut=403)
    assert v.page.locator("h1").inner_text() == "Accès refusé"
    v.capture("modification-refusee")
    v.verifier_tout_local()


def test_a_partner_reads_the_portal_without_edit_controls(visite):
    compte_avec_mot_de_passe("partenaire", "paula")
    v = visite("partenaire")
    v.connecter("paula")
    assert urlparse(v.page.url).path == "/"
    v.aller("/projets/biovallee/")
    assert v.page.get_by_role("link", name="Modifier la fiche").count() == 0
    assert v.page.get_by_role("link", name="Historique des modifications").count() == 0
    v.capture("fiche")
    for chemin in ("/projets/biovallee/modifier/", "/projets/biovallee/partenaires/", "/financements/"):
        v.aller(chemin, statut=403)
    v.page.get_by_role("button", name="Se déconnecter").click()
    assert v.page.locator("header").get_by_role("link", name="Se connecter").is_visible()
    v.verifier_tout_local()
