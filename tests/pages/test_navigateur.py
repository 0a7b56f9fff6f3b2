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

    def violations_graves(self) -> list[str]:
        """The page's violations of impact "serious" or "critical" (the sweep's bar; `capture` tolerates none)."""
        return self.page.evaluate(
            """async (tags) => (await axe.run({exclude: [["map-chart"]]},
                                              {runOnly: {type: "tag", values: tags}, preload: false,
                                               resultTypes: ["violations"]}))
                .violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id} (${v.impact}) : ${v.help} — ${v.nodes.map(n => n.target).join(", ")}`)""",
            WCAG,
        )

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
    # An officer lands on their home (tests/pages/test_navigateur_validation.py walks it), then opens the dashboard.
    assert urlparse(v.page.url).path == "/mon-espace/"
    v.page.get_by_role("link", name="Financements du programme").first.click()
    v.page.wait_for_url("**/financements/")
    v.capture("tableau-de-bord")
    # The region picker opens the region's dashboard when its button is pressed.
    v.page.select_option("#choix-region", label="Auvergne-Rhône-Alpes")
    v.page.get_by_role("button", name="Afficher la région").click()
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

    # a commitment through the ledger form (equity: a subsidy is committed by its convention)
    v.aller("/projets/biovallee/")
    v.page.get_by_role("link", name="Enregistrer un engagement").click()
    v.page.fill("#id_montant", "250000")
    v.page.fill("#id_date", "2024-05-02")
    v.page.fill("#id_reference", "CP-NAV-1")
    v.page.fill("#id_motif", "Prise de participation")
    v.page.get_by_role("button", name="Continuer").click()
    phrase = " ".join(v.page.locator("main").inner_text().replace("\u202f", " ").replace("\u00a0", " ").split())
    assert "Vous allez engager 250 000,00 € sur BIOVALLÉE 2030 (Investissement en fonds propres" in phrase
    assert not Engagement.objects.filter(reference="CP-NAV-1").exists()
    v.capture("engagement-a-confirmer")
    v.page.get_by_role("button", name="Confirmer l'écriture").click()
    assert "Écriture enregistrée au grand livre." in v.page.locator(".fr-alert--success").inner_text()
    assert "CP-NAV-1" in v.page.locator("main").inner_text()

    # a subsidy: its convention with a schedule of two tranches, then the convention's page
    v.page.get_by_role("link", name="Nouvelle convention").click()
    v.capture("convention-nouvelle")
    v.page.select_option("#id_beneficiaire", label="Association Biovallée")
    v.page.fill("#id_objet", "Maison de l'agroécologie")
    v.page.fill("#id_date_signature", "2024-02-15")
    v.page.fill("#id_reference", "CONV-NAV-1")
    v.page.fill("#id_montant", "300 000")
    for rang, (date, montant, condition) in enumerate([("2024-03-01", "100 000", "À la signature"),
                                                      ("2025-03-01", "200 000", "Au solde")]):  # fmt: skip
        v.page.fill(f"#id_tranches-{rang}-date_prevue", date)
        v.page.fill(f"#id_tranches-{rang}-montant", montant)
        v.page.fill(f"#id_tranches-{rang}-condition", condition)
    v.page.get_by_role("button", name="Continuer").click()
    v.page.get_by_role("button", name="Confirmer l'écriture").click()
    assert v.page.locator("h1").inner_text() == "Convention CONV-NAV-1"
    v.capture("convention")
    v.page.get_by_role("link", name="Payer la tranche 1").click()
    v.capture("tranche-a-payer")
    v.page.fill("#id_reference", "V-NAV-1")
    v.page.get_by_role("button", name="Continuer").click()
    v.page.get_by_role("button", name="Confirmer l'écriture").click()
    assert "Versement enregistré au grand livre." in v.page.locator(".fr-alert--success").inner_text()
    v.aller("/projets/biovallee/")

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
    # A director lands on their home (tests/pages/test_navigateur_validation.py walks it), then opens the region.
    assert urlparse(v.page.url).path == "/mon-espace/"
    v.page.get_by_role("link", name="Financements — Auvergne-Rhône-Alpes").first.click()
    v.page.wait_for_url("**/financements/regions/84/")
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
    # A partner lands on their space (tests/pages/test_navigateur_partenaire.py walks it).
    assert urlparse(v.page.url).path == "/mon-espace/"
    v.aller("/projets/biovallee/")
    assert v.page.get_by_role("link", name="Modifier la fiche").count() == 0
    assert v.page.get_by_role("link", name="Historique des modifications").count() == 0
    v.capture("fiche")
    for chemin in ("/projets/biovallee/modifier/", "/projets/biovallee/partenaires/", "/financements/"):
        v.aller(chemin, statut=403)
    v.page.get_by_role("button", name="Se déconnecter").click()
    assert v.page.locator("header").get_by_role("link", name="Se connecter").is_visible()
    v.verifier_tout_local()


# --- The sweep: every HTML page of the URLconf, for every role, at two widths ---------------------

# The widths of a desktop screen and of a phone (RGAA 10.11: content reflows at 320 CSS px and above).
LARGEURS = {"1440": {"width": 1440, "height": 900}, "390": {"width": 390, "height": 844}}
# Anonymous visitors, partners, directors and officers see the portal; the superuser acts as an
# officer there (comptes.roles.role_of), so it is audited on the admin's index alone.
ROLES_BALAYAGE = ["anonyme", "partenaire", "directeur", "charge", "superuser"]
# Each role sees at least this many pages: a sweep that audits nothing cannot pass.
PAGES_AU_MOINS = {"anonyme": 8, "partenaire": 8, "directeur": 15, "charge": 30, "superuser": 1}
# Not a page: the sign-out (POST only). The admin is Django's own interface: its index alone is swept.
ROUTES_HORS_BALAYAGE = {"logout"}
# Elements that scroll sideways: each must be reachable with Tab and carry a name (RGAA 7.3, 12.13).
# A table's scroller takes the focus itself; another one (DSFR's tab list) may hold focusable controls instead.
DEFILANTS_SANS_CLAVIER = """() => [...document.querySelectorAll("body *")]
  .filter((e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
  .filter((e) => {
    const nom = e.getAttribute("aria-label") || (e.getAttribute("aria-labelledby") || "").split(" ")
      .map((id) => document.getElementById(id)?.textContent || "").join("").trim();
    const atteint = e.tabIndex >= 0 && nom && e.getAttribute("role");
    const tableau = e.matches("table") || e.querySelector("table");
    return !atteint && (tableau || !e.querySelector("a[href], button, input, select, textarea, [tabindex]"));
  })
  .map((e) => e.outerHTML.slice(0, 160))"""


def _terrain_balayage() -> dict:
    """The objects `valeurs_reelles` fills the routes' parameters from, on top of the demo data.

    The hostile walk's objects (tests/securite/terrain.py), committed here since the live server
    reads them from another connection.
    """
    import datetime

    from indicateurs.demo import demo_generate
    from tests.securite.terrain import comptes_du_terrain, objets_du_terrain

    d = comptes_du_terrain("balayage")
    demo_generate(auteur=d["charge"])
    objets_du_terrain(d, "balayage", date_mesure=datetime.date(2024, 12, 15))
    # A subsidy's commitment opens the convention's pages; an equity investment (no convention)
    # the forms a commitment has of its own (disbursement, decommitment).
    investissement = Engagement.objects.filter(convention__isnull=True, engagement_origine__isnull=True,
                                               reference__startswith="DEMO-").order_by("pk").first()  # fmt: skip
    d["variantes"] = [{}, {"engagement": investissement}]
    return d


def pages_du_role(role: str, d: dict) -> tuple[list[str], list[str], object]:
    """The HTML pages the role is served (200, text/html), every route of the URLconf filled with real
    values; the routes the suite cannot fill; the role's test client (its session is the browser's)."""
    from django.test import Client

    from tests.securite.routes import toutes_les_routes
    from tests.securite.test_aucune_erreur_serveur import valeurs_reelles

    client = Client()
    if role != "anonyme":
        client.force_login(d[role])
    pages, non_remplies = [], []
    for route in toutes_les_routes():
        # The API answers JSON; its documentation is a page of the portal.
        if (route.api and route.nom != "api_docs") or route.nom in ROUTES_HORS_BALAYAGE:
            continue
        if route.admin and not (role == "superuser" and route.gabarit == "/admin/"):
            continue
        if role == "superuser" and not route.admin:
            continue
        urls, erreurs = [], []
        for variante in d["variantes"]:
            try:
                urls.append(route.url(valeurs_reelles(route, {**d, **variante})))
            except (KeyError, AttributeError) as exc:
                erreurs.append(f"{route} : {exc!r}")
        if not urls:
            non_remplies += erreurs
        for url in dict.fromkeys(urls):
            reponse = client.get(url)
            # 302 (to the login page, or elsewhere), 403, 404, 405 (POST only): not a page of this role.
            if reponse.status_code == 200 and reponse["Content-Type"].startswith("text/html"):
                pages.append(url)
    return pages, non_remplies, client


@pytest.mark.parametrize("role", ROLES_BALAYAGE)
def test_every_page_a_role_sees_has_no_serious_accessibility_violation_at_both_widths(navigateur, live_server, role):
    """axe-core (WCAG 2.1 A and AA) on every page the role is served, at 1440 and 390 px: no violation
    of impact "serious" or "critical"; at 390 px every element that scrolls sideways is focusable and named."""
    d = _terrain_balayage()
    pages, non_remplies, client = pages_du_role(role, d)
    assert non_remplies == [], "Routes sans valeurs réelles (à ajouter dans _terrain_balayage) :\n" + "\n".join(
        non_remplies
    )
    assert len(pages) >= PAGES_AU_MOINS[role], pages
    graves, defilants = [], []
    for largeur, viewport in LARGEURS.items():
        v = Visite(navigateur, live_server.url, f"balayage-{role}-{largeur}", viewport=viewport)
        try:
            if role != "anonyme":
                v.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                                        "url": live_server.url}])  # fmt: skip
            for url in pages:
                v.aller(url)
                graves += [f"{largeur} px {url} : {ligne}" for ligne in v.violations_graves()]
                if largeur == "390":
                    defilants += [f"{url} : {html}" for html in v.page.evaluate(DEFILANTS_SANS_CLAVIER)]
            v.verifier_tout_local()
        finally:
            v.fermer()
    assert not graves, f"{len(graves)} violation(s) grave(s) ou critique(s) :\n" + "\n".join(graves)
    assert not defilants, "Défilement horizontal sans accès au clavier ou sans nom :\n" + "\n".join(defilants)


def test_each_scrollable_table_is_reached_with_tab_and_named_on_a_phone(visite):
    v = visite("tableaux-mobile", viewport=LARGEURS["390"], is_mobile=True)
    for chemin in ("/", "/indicateurs/"):
        v.aller(chemin)
        # The tables that scroll sideways at this width: the id of the caption that names each.
        defilantes = v.page.evaluate(
            """() => [...document.querySelectorAll(".fr-table__container")]
                .filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.getAttribute("aria-labelledby"))"""
        )
        assert len(defilantes) >= 2, chemin
        for legende in defilantes:
            texte = v.page.locator(f"caption#{legende}").inner_text().strip()
            # Named by its caption for assistive technologies, as Chromium computes it.
            assert v.page.get_by_role("region", name=texte, exact=True).count() == 1, texte
        atteintes = []
        for _ in range(300):
            v.page.keyboard.press("Tab")
            legende = v.page.evaluate(
                """() => document.activeElement.matches(".fr-table__container")
                         ? document.activeElement.getAttribute("aria-labelledby") : null"""
            )
            if legende in defilantes and legende not in atteintes:
                atteintes.append(legende)
                # Once reached, the table scrolls with the arrow keys.
                avant = v.page.evaluate("() => document.activeElement.scrollLeft")
                v.page.keyboard.press("ArrowRight")
                v.page.wait_for_function(f"() => document.activeElement.scrollLeft > {avant}")
            if len(atteintes) == len(defilantes):
                break
        # In the order of the page.
        assert atteintes == defilantes, chemin
        v.capture(chemin.strip("/") or "accueil")
    v.verifier_tout_local()


def test_the_region_picker_changes_page_only_when_its_button_is_pressed(visite):
    compte_avec_mot_de_passe("charge", "carole")
    v = visite("choix-region")
    v.connecter("carole")
    v.aller("/financements/")
    v.page.select_option("#choix-region", label="Auvergne-Rhône-Alpes")
    v.page.wait_for_timeout(500)
    assert urlparse(v.page.url).path == "/financements/"
    assert v.page.locator("h1").inner_text() == "Financements du programme"
    v.page.get_by_role("button", name="Afficher la région").click()
    v.page.wait_for_url("**/financements/regions/84/")
    assert v.page.locator("h1").inner_text() == "Financements — Auvergne-Rhône-Alpes"
    # The list shows the region open; back to the whole programme, again with the button.
    assert v.page.locator("#choix-region").input_value() == "84"
    v.page.select_option("#choix-region", label="Tout le programme")
    v.page.wait_for_timeout(300)
    assert urlparse(v.page.url).path == "/financements/regions/84/"
    v.page.get_by_role("button", name="Afficher la région").click()
    v.page.wait_for_url("**/financements/")
    v.verifier_tout_local()


def test_the_bounded_pages_pass_axe_when_their_lists_are_cut(visite, settings):
    """The home in regional mode (beyond ACCUEIL_LAUREATS_MAX) and the region's dashboard a page of 50 projects
    at a time, with its pagination: no WCAG violation, at desktop and phone widths."""
    from territoires.models import Region
    from tests.factories import ProjetFactory

    settings.ACCUEIL_LAUREATS_MAX = 0
    ProjetFactory.create_batch(60, region=Region.objects.get(code="84"))
    compte_avec_mot_de_passe("directeur", "diane", regions=["84"])
    for largeur, viewport in LARGEURS.items():
        v = visite(f"pages-bornees-{largeur}", viewport=viewport)
        v.aller("/")
        assert v.page.locator("#laureats-par-region").count() == 1
        v.verifier_accessibilite()
        v.connecter("diane")
        v.aller("/financements/regions/84/")
        assert "63 projets, page 1 sur 2" in v.page.locator("#projets-compte").inner_text()
        v.verifier_accessibilite()
        v.page.get_by_role("link", name="Page suivante").click()
        v.page.wait_for_url("**/financements/regions/84/?page=2")
        assert "page 2 sur 2" in v.page.locator("#projets-compte").inner_text()
        v.verifier_accessibilite()
        v.verifier_tout_local()
