"""Figures written with the precision they mean: euros to the cent, M€ and % rounded half-up.

Rounding is half-up (half away from zero), as French accounting rounds; expected
texts are written out by hand, and page figures recomputed from the rows.
"""

import html
import json
import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Sum
from django.test import Client

from financements.models import Allocation, Enveloppe
from laureats.models import Projet
from laureats.templatetags.montants import euros, millions, nombre, pourcentage
from portail.views import REGIONS_CARTE
from tests import grand_livre as services
from tests.factories import ProjetFactory, compte

D = Decimal
ESPACE = "\u202f"  # thousands
INSECABLE = "\u00a0"  # before the unit


@pytest.mark.parametrize(
    ("montant", "texte"),
    [
        (D("5700000.00"), f"5{ESPACE}700{ESPACE}000{INSECABLE}€"),
        (D("0.10"), f"0,10{INSECABLE}€"),
        (D("1000000.05"), f"1{ESPACE}000{ESPACE}000,05{INSECABLE}€"),
        (D("-1000000.05"), f"-1{ESPACE}000{ESPACE}000,05{INSECABLE}€"),
        (D("-0.10"), f"-0,10{INSECABLE}€"),
        (D("0"), f"0{INSECABLE}€"),
        (D("999.99"), f"999,99{INSECABLE}€"),
        # A float's binary expansion (0.29 is 0.28999…) must not lose a cent.
        (0.29, f"0,29{INSECABLE}€"),
        # More than two decimals (a computed share): rounded half-up to the cent, not truncated.
        (D("2.675"), f"2,68{INSECABLE}€"),
        (D("-2.675"), f"-2,68{INSECABLE}€"),
        # Rounds to nothing: no « -0 ».
        (D("-0.004"), f"0{INSECABLE}€"),
        (None, "—"),
    ],
)
def test_euros_are_exact_to_the_cent_for_every_sign(montant, texte):
    assert euros(montant) == texte


@pytest.mark.parametrize(
    ("montant", "texte"),
    [
        (D("11412345"), f"11,41{INSECABLE}M€"),
        (D("-11412345"), f"-11,41{INSECABLE}M€"),
        (D("5700000.00"), f"5,7{INSECABLE}M€"),
        (D("150000000"), f"150{INSECABLE}M€"),
        (D("0"), f"0{INSECABLE}M€"),
        # 0,005 M€ is the boundary: half-up on either side of zero.
        (D("5000"), f"0,01{INSECABLE}M€"),
        (D("4999.99"), f"0{INSECABLE}M€"),
        (D("-5000"), f"-0,01{INSECABLE}M€"),
        (D("-4999.99"), f"0{INSECABLE}M€"),
        (D("11425000"), f"11,43{INSECABLE}M€"),  # half-up, where half-even would give 11,42
        (D("1234567890123.45"), f"1{ESPACE}234{ESPACE}567,89{INSECABLE}M€"),
        (None, "—"),
    ],
)
def test_millions_show_at_most_two_decimals_rounded_half_up(montant, texte):
    assert millions(montant) == texte


@pytest.mark.parametrize(
    ("taux", "texte"),
    [
        (D("12.5"), f"12,5{INSECABLE}%"),
        (D("12.25"), f"12,3{INSECABLE}%"),  # half-up, where half-even would give 12,2
        (D("12.24"), f"12,2{INSECABLE}%"),
        (D("33.33"), f"33,3{INSECABLE}%"),
        (D("100.00"), f"100{INSECABLE}%"),
        (D("0"), f"0{INSECABLE}%"),
        (D("-3.45"), f"-3,5{INSECABLE}%"),
        (D("-0.04"), f"0{INSECABLE}%"),
        (D("1234.56"), f"1{ESPACE}234,6{INSECABLE}%"),
        (None, "—"),
    ],
)
def test_percentages_show_at_most_one_decimal_in_french(taux, texte):
    assert pourcentage(taux) == texte


def test_whole_numbers_are_grouped_and_rounded_not_truncated():
    assert nombre(1_234_567) == f"1{ESPACE}234{ESPACE}567"
    assert nombre(D("2074.5832")) == f"2{ESPACE}075"
    assert nombre(None) == "—"


def _attendu_pourcentage(numerateur: Decimal, denominateur: Decimal) -> str:
    taux = (numerateur * 100 / denominateur).quantize(D("0.1"), rounding=ROUND_HALF_UP)
    return f"{taux}".replace(".", ",").removesuffix(",0") + f"{INSECABLE}%"


@pytest.mark.django_db
def test_the_dashboard_shows_its_rates_with_one_decimal():
    subvention = Enveloppe.objects.get(code="subvention")
    engagement = services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=subvention, montant=D("1000000.00"),
        date="2024-03-01", reference="CP-1", motif="Convention", by=None,
    )  # fmt: skip
    services.versement_create(
        engagement=engagement, montant=D("333333.33"), date="2024-06-01", reference="V-1", by=None
    )
    client = Client()
    client.force_login(compte("charge"))

    page = client.get("/financements/").content.decode()

    # The text a reader sees; the exact rate stays in the figure's data-valeur attribute.
    texte = re.sub(r"<[^>]+>", "", page)
    assert f"({_attendu_pourcentage(D('1000000.00'), subvention.plafond)} du plafond)" in texte
    assert f"({_attendu_pourcentage(D('333333.33'), D('1000000.00'))} de l'engagé)" in texte
    assert f"(33,3{INSECABLE}% de l'engagé)" in texte
    assert "33.33" not in texte


def _cartes(page: str) -> dict[str, dict]:
    """The attributes of each map-chart of the home page, by its name."""
    cartes = {}
    for balise in re.findall(r"<map-chart [^>]*>", page):
        attributs = {
            nom: html.unescape(simple or double)
            for nom, simple, double in re.findall(r"([\w-]+)=(?:'([^']*)'|\"([^\"]*)\")", balise)
        }
        cartes[attributs["name"]] = attributs
    return cartes


def _en_millions_par_region(enveloppe: str) -> dict[str, float]:
    """Straight from the allocation rows: every drawn region, 0 where it has no laureate."""
    sommes = dict.fromkeys(REGIONS_CARTE.values(), D(0))
    lignes = (
        Allocation.objects.filter(enveloppe__code=enveloppe, projet__region__code__in=REGIONS_CARTE)
        .values_list("projet__region__code")
        .annotate(somme=Sum("montant"))
    )
    for code, somme in lignes:
        sommes[REGIONS_CARTE[code]] = somme
    return {iso: float((s / 1_000_000).quantize(D("0.01"), rounding=ROUND_HALF_UP)) for iso, s in sommes.items()}


@pytest.mark.django_db
def test_the_map_gets_millions_rounded_half_up_to_two_decimals_and_its_unit():
    projet = ProjetFactory(region=Projet.objects.get(slug="biovallee").region)
    Allocation.objects.filter(projet=projet, enveloppe__code="subvention").update(montant=D("11412345"))
    Allocation.objects.filter(projet=projet, enveloppe__code="investissement").update(montant=D("2004999.99"))

    cartes = _cartes(Client().get("/").content.decode())

    subventions = cartes["Subventions prévues (M€)"]
    investissements = cartes["Potentiel d'investissement (M€)"]
    assert json.loads(subventions["data"]) == _en_millions_par_region("subvention")
    assert json.loads(investissements["data"]) == _en_millions_par_region("investissement")
    for carte in (subventions, investissements):
        assert (carte["data-unite"], carte["data-decimales"]) == ("M€", "2")
        assert all(valeur == round(valeur, 2) for valeur in json.loads(carte["data"]).values())
    laureats = cartes["Projets lauréats"]
    assert (laureats["data-unite"], laureats["data-unite-pluriel"], laureats["data-decimales"]) == (
        "lauréat", "lauréats", "0"
    )  # fmt: skip
    # The total beside the map, every region's (New Caledonia's too), as the tables write it.
    total = Allocation.objects.filter(enveloppe__code="subvention").aggregate(s=Sum("montant"))["s"]
    assert subventions["value"] == millions(total)


FORMATS_JS = Path(settings.BASE_DIR) / "static" / "js" / "formats.js"
NODE = shutil.which("node")
TEXTES_INFOBULLE = [
    # (what DSFR Chart's tooltip prints, the map's options, what the reader sees)
    ("11.41", {"decimales": 2, "unite": "M€"}, f"11,41{INSECABLE}M€"),
    ("1234.5", {"decimales": 2, "unite": "M€"}, f"1{ESPACE}234,5{INSECABLE}M€"),
    ("0", {"decimales": 2, "unite": "M€"}, f"0{INSECABLE}M€"),
    ("-0.01", {"decimales": 2, "unite": "M€"}, f"-0,01{INSECABLE}M€"),
    ("0", {"unite": "lauréat", "unitePluriel": "lauréats"}, f"0{INSECABLE}lauréat"),
    ("1", {"unite": "lauréat", "unitePluriel": "lauréats"}, f"1{INSECABLE}lauréat"),
    ("3", {"unite": "lauréat", "unitePluriel": "lauréats"}, f"3{INSECABLE}lauréats"),
    # Already in French: left alone, so the rewrite does not loop on its own change.
    (f"11,41{INSECABLE}M€", {"decimales": 2, "unite": "M€"}, None),
    ("", {"decimales": 2, "unite": "M€"}, None),
]


@pytest.mark.skipif(NODE is None, reason="node absent : `make installer` l'installe avec la carte")
def test_the_map_tooltip_text_is_rewritten_in_french_with_its_unit():
    # The function carte.js applies to the tooltip, run by node on the same cases as in the browser.
    script = (
        f"import {{ enFrancais }} from {json.dumps(FORMATS_JS.as_uri())};"
        f"const cas = {json.dumps([[texte, options] for texte, options, _ in TEXTES_INFOBULLE])};"
        "console.log(JSON.stringify(cas.map(([texte, options]) => enFrancais(texte, options))));"
    )
    resultat = subprocess.run(
        [NODE, "--no-warnings", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=30
    )
    assert resultat.returncode == 0, resultat.stderr
    assert json.loads(resultat.stdout) == [attendu for _, _, attendu in TEXTES_INFOBULLE]


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.navigateur
@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium absent : `apt-get install chromium`")
def test_hovering_a_region_shows_its_amount_in_french_with_its_unit(programme_charge, live_server):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright n'est pas installé (make installer)")
    projet = ProjetFactory(region=Projet.objects.get(slug="biovallee").region)
    Allocation.objects.filter(projet=projet, enveloppe__code="subvention").update(montant=D("11412345"))
    ara = Allocation.objects.filter(enveloppe__code="subvention", projet__region__code="84").aggregate(s=Sum("montant"))
    en_millions = (ara["s"] / 1_000_000).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    attendu = f"{en_millions}".replace(".", ",").rstrip("0").removesuffix(",") + f"{INSECABLE}M€"
    nb_ara = Projet.objects.filter(region__code="84").count()

    with sync_api.sync_playwright() as p:
        navigateur = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        page = navigateur.new_page(locale="fr-FR")
        erreurs = []
        page.on("pageerror", lambda e: erreurs.append(str(e)))
        page.goto(live_server.url + "/")
        page.wait_for_function(
            "() => document.querySelector('map-chart')?.shadowRoot?.querySelector('.FR-ARA')?.getAttribute('fill')"
        )
        infobulles = []
        for onglet, rang in (("Lauréats", 0), ("Subventions prévues", 1)):
            page.get_by_role("tab", name=onglet).click()
            carte = page.locator("map-chart").nth(rang)
            carte.locator(".FR-ARA").first.hover()
            page.wait_for_timeout(500)  # the component, then carte.js, write the tooltip in microtasks
            infobulles.append(carte.locator(".tooltip_value").text_content().strip())
        navigateur.close()

    assert infobulles == [f"{nb_ara}{INSECABLE}lauréats", attendu]
    assert not erreurs
