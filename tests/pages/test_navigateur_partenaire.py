"""A partner's walk in headless Chromium: from the login to their space, a value declared, sent back, corrected,
and an API token created then revoked. Each page is audited (axe-core, Content-Security-Policy) and screenshotted."""

from urllib.parse import urlparse

import pytest

from comptes.models import JetonAPI
from indicateurs import services
from indicateurs.models import Mesure, Periode
from tests.indicateurs.factories import compte
from tests.pages.test_navigateur import (  # noqa: F401 (the fixtures, found by pytest under these names)
    MOT_DE_PASSE,
    Visite,
    _artefacts_propres,
    compte_avec_mot_de_passe,
    navigateur,
    visite,
)

pytestmark = [pytest.mark.navigateur, pytest.mark.usefixtures("programme_charge")]

KWH = "biovallee-production-energie-locale"
BUREAU = {"viewport": {"width": 1440, "height": 900}}
MOBILE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def test_a_partner_declares_corrects_and_manages_their_tokens(visite):  # noqa: F811
    compte_avec_mot_de_passe("partenaire", "paula")
    periode = Periode.objects.get(indicateur__code=KWH, debut__year=2024)
    v: Visite = visite("espace-partenaire", **BUREAU)

    v.connecter("paula")
    assert urlparse(v.page.url).path == "/mon-espace/"
    assert v.page.locator("h1").inner_text() == "Mon espace — Association Biovallée"
    assert v.page.locator('[data-chiffre="espace/dues"]').inner_text() != "0"
    assert v.page.locator(f'tr[data-periode="{periode.pk}"]').get_by_text("En retard").is_visible()
    v.capture("a-declarer")

    v.page.locator(f'tr[data-periode="{periode.pk}"]').get_by_role("link", name="Déclarer").click()
    assert urlparse(v.page.url).path == f"/mon-espace/periodes/{periode.pk}/declarer/"
    assert v.page.locator("#id_date").input_value() == "2024-12-31"
    # An error first: the source is required, and nothing is written.
    v.page.locator("#id_valeur").fill("1 250,5")
    v.page.get_by_role("button", name="Soumettre la valeur").click()
    assert "Ce champ est obligatoire." in v.page.locator("#id_source-erreur").inner_text()
    assert not Mesure.objects.exists()
    v.capture("declarer-erreur")
    v.page.locator("#id_source").fill("Relevé des compteurs")
    v.page.get_by_role("button", name="Soumettre la valeur").click()
    assert urlparse(v.page.url).path == "/mon-espace/"
    mesure = Mesure.objects.get()
    ligne = v.page.locator(f'tr[data-uid="{mesure.uid}"]')
    assert ligne.get_by_text("Soumise").is_visible()
    v.capture("soumise")

    services.mesure_return(mesure=mesure, by=compte("charge"), commentaire="Des kWh ou des MWh ?")
    v.aller("/mon-espace/")
    assert v.page.locator(f'tr[data-periode="{periode.pk}"]').get_by_text("Des kWh ou des MWh ?").is_visible()
    v.page.locator(f'tr[data-periode="{periode.pk}"]').get_by_role("link", name="Corriger").click()
    assert urlparse(v.page.url).path == f"/mon-espace/mesures/{mesure.uid}/corriger/"
    v.capture("corriger")
    v.page.locator("#id_valeur").fill("1 250 500")
    v.page.get_by_role("button", name="Soumettre la correction").click()
    assert urlparse(v.page.url).path == "/mon-espace/"
    mesure.refresh_from_db()
    assert (mesure.statut, str(mesure.valeur)) == (Mesure.Statut.SOUMISE, "1250500.0000")
    assert v.page.locator(f'tr[data-uid="{mesure.uid}"]').get_by_text("Soumise").is_visible()

    v.page.get_by_role("link", name="Mes jetons d'API").click()
    v.page.locator("#id_nom").fill("synchronisation")
    v.page.get_by_role("button", name="Créer le jeton").click()
    clair = v.page.locator("#jeton-clair").input_value()
    assert JetonAPI.objects.get(nom="synchronisation").prefixe == clair[:8]
    v.capture("jeton-cree")
    v.page.get_by_role("link", name="Revenir à mes jetons").click()
    assert clair not in v.page.content()
    v.page.get_by_role("link", name="Révoquer le jeton synchronisation").click()
    v.capture("jeton-confirmation")
    v.page.get_by_role("button", name="Révoquer définitivement").click()
    assert urlparse(v.page.url).path == "/mon-espace/jetons/"
    assert JetonAPI.objects.get(nom="synchronisation").revoque_le is not None
    v.capture("jeton-revoque")
    v.verifier_tout_local()

    mobile: Visite = visite("espace-partenaire-mobile", **MOBILE)
    mobile.connecter("paula")
    assert urlparse(mobile.page.url).path == "/mon-espace/"
    mobile.capture("espace-mobile")
    mobile.verifier_tout_local()
