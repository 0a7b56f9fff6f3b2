"""The footer's pages: the accessibility statement, the legal notice and the personal-data page."""

import html
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from portail import informations

pytestmark = pytest.mark.django_db


def _texte(reponse) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", reponse.content.decode())).split())


def test_the_footer_links_the_three_pages_the_statement_first_with_its_status():
    html = Client().get("/").content.decode()
    bas = html[html.index('<ul class="fr-footer__bottom-list">') :]
    bas = bas[: bas.index("</ul>")]
    liens = re.findall(r'<a class="fr-footer__bottom-link" href="([^"]+)">([^<]+)</a>', bas)
    assert liens == [
        ("/accessibilite/", "Accessibilité : partiellement conforme"),
        ("/mentions-legales/", "Mentions légales"),
        ("/donnees-personnelles/", "Données personnelles"),
    ]


def test_the_statement_gives_its_status_audit_non_conformities_contact_recourse_and_date(settings):
    settings.ACCESSIBILITE_CONTACT = "accessibilite@exemple.gouv.fr"
    reponse = Client().get("/accessibilite/")
    assert reponse.status_code == 200
    texte = _texte(reponse)
    assert html.unescape(re.search(r"<title>(.*?)</title>", reponse.content.decode())[1]) == (
        "Déclaration d'accessibilité — Territoires d'Innovation"
    )
    assert "État de conformité : partiellement conforme" in texte
    assert "1440 pixels" in texte and "390 pixels" in texte and "WCAG 2.1" in texte
    assert "DSFR Chart" in texte and "Lauréats et montants des fiches par région" in texte
    assert 'href="mailto:accessibilite@exemple.gouv.fr"' in reponse.content.decode()
    assert "Défenseur des droits" in texte and "Libre réponse 71120" in texte
    assert "établie le 1 décembre 2026" in texte


def test_the_statement_names_the_axe_core_version_the_tests_run():
    paquet = json.loads((Path(settings.BASE_DIR) / "package.json").read_text())
    assert paquet["devDependencies"]["axe-core"] == informations.AXE_VERSION


def test_the_legal_notice_names_the_editor_and_the_host_from_the_settings(settings):
    settings.HEBERGEUR_NOM = "Hébergeur Exemple SAS"
    settings.HEBERGEUR_ADRESSE = "1 rue de l'Exemple, 75000 Paris"
    texte = _texte(Client().get("/mentions-legales/"))
    assert "Caisse des Dépôts et consignations" in texte and "Banque des Territoires" in texte
    assert "Hébergeur Exemple SAS, 1 rue de l'Exemple, 75000 Paris" in texte


def test_the_personal_data_page_lists_what_accounts_leave_and_the_lockout_from_the_settings(settings):
    settings.DONNEES_PERSONNELLES_CONTACT = "dpd@exemple.gouv.fr"
    settings.AXES_FAILURE_LIMIT = 7
    reponse = Client().get("/donnees-personnelles/")
    texte = _texte(reponse)
    for donnee in ("Identifiant de connexion", "adresse électronique", "Rôle", "organisation", "empreinte SHA-256",
                   "Tentatives de connexion en échec", "Historique des modifications"):  # fmt: skip
        assert donnee in texte, donnee
    assert "Après 7 échecs" in texte and "pendant 15 minutes" in texte
    assert "article 6, paragraphe 1, point e" in texte
    assert 'href="mailto:dpd@exemple.gouv.fr"' in reponse.content.decode()


@pytest.mark.parametrize("chemin", ["/accessibilite/", "/mentions-legales/", "/donnees-personnelles/"])
def test_the_pages_are_read_only(chemin):
    assert Client().post(chemin).status_code == 405
