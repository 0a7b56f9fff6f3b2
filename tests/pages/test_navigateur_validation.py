"""Browser walks of the homes and the validation queue.

An officer decides with the context at hand; a director lands on their home.

Each page is captured through `Visite.capture` (axe-core audit and Content-Security-Policy check)
at 1440 px, and the queue once more at 390 px.
"""

import datetime
from decimal import Decimal

import pytest

from indicateurs.models import Indicateur, Mesure
from tests.indicateurs.factories import MesureFactory
from tests.pages import test_navigateur
from tests.pages.test_navigateur import compte_avec_mot_de_passe

# The browser and the tab fixtures of the main walk, found by pytest under these names.
navigateur = test_navigateur.navigateur
visite = test_navigateur.visite

pytestmark = [pytest.mark.navigateur, pytest.mark.usefixtures("programme_charge")]

BUREAU = {"viewport": {"width": 1440, "height": 900}}
MOBILE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _chiffre(v, cle: str) -> str:
    return v.page.locator(f'[data-chiffre="{cle}"]').get_attribute("data-valeur")


def test_an_officer_lands_home_opens_the_queue_sends_one_back_and_validates_another(visite):
    compte_avec_mot_de_passe("charge", "claire")
    paula = compte_avec_mot_de_passe("partenaire", "paula", prenom="Paula", nom="Martin")
    bio = Indicateur.objects.get(code="biovallee-part-agriculture-bio")
    MesureFactory(indicateur=bio, date=datetime.date(2022, 12, 31), valeur=Decimal("30"), validee=True)
    a_renvoyer = MesureFactory(indicateur=bio, date=datetime.date(2023, 12, 31), valeur=Decimal("35.5"), auteur=paula)
    a_valider = MesureFactory(indicateur=bio, date=datetime.date(2024, 12, 31), valeur=Decimal("38"), auteur=paula)

    v = visite("validation-charge", **BUREAU)
    v.connecter("claire")
    assert v.page.url.endswith("/mon-espace/")
    assert v.page.locator("h1").inner_text() == "Mon espace"
    assert _chiffre(v, "mesures_a_valider") == "2"
    v.capture("accueil")

    v.page.get_by_role("link", name="Mesures à valider").click()
    v.page.wait_for_load_state()
    assert v.page.url.endswith("/indicateurs/mesures/a-valider/")
    carte = v.page.locator("section", has=v.page.locator(f"#mesure-{a_renvoyer.uid}"))
    assert "30\xa0% au 31/12/2022" in carte.locator(".ti-precedente").inner_text()
    assert carte.locator(".ti-variation").inner_text().startswith("+5,5\xa0%")
    assert "Paula Martin (paula), Association Biovallée" in carte.locator(".ti-auteur").inner_text()
    assert carte.locator(".ti-attendue").inner_text() != ""
    v.capture("file-de-validation")

    carte.get_by_label("Commentaire").fill("La source ne couvre que la moitié des exploitations : précisez-la.")
    carte.get_by_role("button", name="Renvoyer pour correction").click()
    v.page.wait_for_load_state()
    assert "à revoir" in v.page.locator(".fr-alert").inner_text()
    v.capture("apres-renvoi")

    carte = v.page.locator("section", has=v.page.locator(f"#mesure-{a_valider.uid}"))
    carte.get_by_role("button", name="Valider").click()
    v.page.wait_for_load_state()
    assert "validée" in v.page.locator(".fr-alert").inner_text()
    assert "Aucune mesure en attente." in v.page.locator("main").inner_text()
    v.capture("apres-validation")
    v.verifier_tout_local()

    a_renvoyer.refresh_from_db()
    a_valider.refresh_from_db()
    assert (a_renvoyer.statut, a_valider.statut) == (Mesure.Statut.A_REVOIR, Mesure.Statut.VALIDEE)
    assert a_renvoyer.commentaire.startswith("La source ne couvre")


def test_the_queue_reads_on_a_phone(visite):
    compte_avec_mot_de_passe("charge", "camille")
    MesureFactory.create_batch(2)
    v = visite("validation-mobile", **MOBILE)
    v.connecter("camille")
    v.aller("/indicateurs/mesures/a-valider/")
    assert v.page.evaluate("document.documentElement.scrollWidth") <= 390
    v.capture("file-de-validation-390")
    v.verifier_tout_local()


def test_a_director_lands_on_their_home(visite):
    compte_avec_mot_de_passe("directeur", "denise", regions=["84"])
    v = visite("accueil-directeur", **BUREAU)
    v.connecter("denise")
    assert v.page.url.endswith("/mon-espace/")
    assert v.page.locator("h1").inner_text() == "Mon espace"
    assert int(_chiffre(v, "rapports_en_retard")) > 0
    v.capture("accueil")
    v.page.get_by_role("link", name="Financements — Auvergne-Rhône-Alpes").click()
    v.page.wait_for_load_state()
    assert v.page.url.endswith("/financements/regions/84/")
    v.verifier_tout_local()
