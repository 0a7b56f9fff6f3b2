"""The API documentation in headless Chromium: a French page of the portal, offline, accessible.

Swagger UI draws the operations from /api/schema/ inside the portal's DSFR page. axe-core
audits the page once the operations are drawn, in the "Authorize" dialog, with one operation
open, with its "Try it out" form and with the response of a request; every request the page
makes goes to the portal itself.
"""

from urllib.parse import urlparse

import pytest

from tests.pages import test_navigateur
from tests.pages.test_navigateur import Visite

# The browser walks' fixtures: one Chromium for the module, a recorded tab per visit.
navigateur = test_navigateur.navigateur
visite = test_navigateur.visite

pytestmark = [pytest.mark.navigateur, pytest.mark.usefixtures("programme_charge")]


def test_the_api_docs_are_a_french_portal_page_drawn_offline_without_accessibility_violations(visite, live_server):
    v: Visite = visite("api-docs")
    v.aller("/")
    v.page.get_by_role("link", name="API et documentation").click()
    assert urlparse(v.page.url).path == "/api/docs/"
    assert v.page.evaluate("() => document.documentElement.lang") == "fr"
    assert v.page.title() == "Documentation de l'API — Territoires d'Innovation"
    assert v.page.locator("h1").inner_text() == "Documentation de l'API"
    # Back to the portal: the skip links come first, the breadcrumb leads home.
    v.page.keyboard.press("Tab")
    assert v.page.evaluate("() => document.activeElement.textContent.trim()") == "Contenu"
    v.page.keyboard.press("Enter")
    v.page.wait_for_url("**/api/docs/#content")
    accueil = v.page.locator(".fr-breadcrumb").get_by_role("link", name="Accueil")
    assert accueil.get_attribute("href") == "/"

    # Swagger UI draws every operation of the schema, fetched from the portal itself.
    v.page.wait_for_selector("#api-docs .opblock")
    assert "API Territoires d'Innovation" in v.page.locator("#api-docs .info .title").inner_text()
    assert v.page.locator("#api-docs .opblock").count() > 10
    v.capture("operations")

    # The "Authorize" dialog, where a token is entered, and closed by its icon button.
    v.page.locator("#api-docs .auth-wrapper").get_by_role("button", name="Authorize").press("Enter")
    dialogue = v.page.locator("#api-docs .dialog-ux")
    dialogue.wait_for()
    v.capture("autorisation")
    dialogue.get_by_role("button", name="Fermer").press("Enter")
    dialogue.wait_for(state="detached")

    operation = v.page.locator("#api-docs .opblock").first
    # By keyboard: the skip link just followed still holds the focus, and DSFR hides its bar
    # when the focus leaves, which shifts the page under a mouse click.
    operation.locator(".opblock-summary-control").press("Enter")
    operation.locator(".opblock-body .parameters").wait_for()
    v.capture("operation-ouverte")
    operation.get_by_role("button", name="Try it out").press("Enter")
    operation.get_by_role("button", name="Execute").wait_for()
    v.capture("operation-essai")
    # Without a token the request is refused; its response is drawn all the same.
    operation.get_by_role("button", name="Execute").press("Enter")
    operation.locator(".live-responses-table").wait_for()
    assert "401" in operation.locator(".live-responses-table tr.response").inner_text()
    v.capture("operation-reponse")

    v.verifier_tout_local()
    origine = urlparse(live_server.url).netloc
    ailleurs = [u for u in v.requetes if urlparse(u).scheme != "data" and urlparse(u).netloc != origine]
    assert not ailleurs, ailleurs
    assert any(urlparse(u).path == "/api/schema/" for u in v.requetes)


def test_the_api_docs_fit_a_phone_screen_without_accessibility_violations(visite):
    v: Visite = visite("api-docs-mobile", viewport={"width": 375, "height": 812}, is_mobile=True)
    v.aller("/api/docs/")
    v.page.wait_for_selector("#api-docs .opblock")
    assert v.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    v.capture("operations")
    v.verifier_tout_local()
