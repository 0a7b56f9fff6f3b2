"""Indicator values are shown with their unit's precision: « 2 075 personnes », not « 2 074,5832 personnes ».

Counts are whole numbers; the few measured units keep the decimals they mean
(indicateurs.templatetags.indicateurs.DECIMALES_PAR_UNITE). Only the officers'
validation queue shows a value as it was submitted, every decimal.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core import mail
from django.test import Client

from indicateurs import services
from indicateurs.models import Evaluation
from indicateurs.templatetags.indicateurs import avec_unite, decimales, saisie, valeur
from tests.indicateurs.factories import IndicateurFactory, MesureFactory, compte

D = Decimal
ESPACE = "\u202f"  # thousands
INSECABLE = "\u00a0"  # before the unit
JOUR = datetime.date(2025, 6, 30)


@pytest.mark.parametrize(
    ("nombre", "unite", "texte"),
    [
        (D("2074.5832"), "personnes", f"2{ESPACE}075{INSECABLE}personnes"),
        (D("2074.5"), "emplois", f"2{ESPACE}075{INSECABLE}emplois"),  # half-up
        (D("2074.4999"), "emplois", f"2{ESPACE}074{INSECABLE}emplois"),
        (D("149.5"), "îlots", f"150{INSECABLE}îlots"),  # a unit not listed is a count
        (D("12.25"), "%", f"12,3{INSECABLE}%"),
        (D("-15.0041"), "%", f"-15{INSECABLE}%"),
        (D("-0.04"), "%", f"0{INSECABLE}%"),
        (D("11.4123"), "M€", f"11,41{INSECABLE}M€"),
        (D("491.9336"), "kWh", f"492{INSECABLE}kWh"),
        (D("100.25"), "ha", f"100,3{INSECABLE}ha"),
        (D("1710.04"), "tCO2", f"1{ESPACE}710{INSECABLE}tCO2"),
        (D("12000000.0000"), "km", f"12{ESPACE}000{ESPACE}000{INSECABLE}km"),
        (None, "personnes", "—"),
    ],
)
def test_a_value_is_rounded_half_up_to_its_units_precision(nombre, unite, texte):
    assert avec_unite(nombre, unite) == texte
    assert valeur(nombre, unite) == texte.rsplit(INSECABLE, 1)[0]


def test_counts_are_whole_and_the_measured_units_keep_their_decimals():
    assert [decimales(u) for u in ("personnes", "emplois", "îlots", "procédés et matériaux")] == [0, 0, 0, 0]
    assert [decimales(u) for u in ("%", "M€", "ha", "km", "tCO2")] == [1, 2, 1, 1, 1]


def test_the_validation_queue_shows_a_value_as_it_was_submitted():
    assert saisie(D("2074.5832"), "personnes") == f"2{ESPACE}074,5832{INSECABLE}personnes"
    assert saisie(D("12000000.0000"), "km") == f"12{ESPACE}000{ESPACE}000{INSECABLE}km"
    assert saisie(D("-13.5000"), "%") == f"-13,5{INSECABLE}%"


def _arrondi(nombre: Decimal, pas: str) -> str:
    """The expected text, computed apart from the filters: half-up, thousands, decimal comma."""
    entier, _, fraction = f"{nombre.quantize(D(pas), rounding=ROUND_HALF_UP):f}".partition(".")
    entier = f"{int(entier):,}".replace(",", ESPACE)
    fraction = fraction.rstrip("0")
    return entier + ("," + fraction if fraction else "")


@pytest.fixture
def personnes():
    """People reached, 1000 in 2020 to 5000 at the end of 2030, with an odd validated value."""
    indicateur = IndicateurFactory(
        unite="personnes", valeur_reference=D(1000), date_reference=datetime.date(2020, 1, 1), valeur_cible=D(5000)
    )
    MesureFactory(indicateur=indicateur, date=datetime.date(2025, 1, 1), valeur=D("2074.5832"), validee=True)
    services.evaluation_run(date=JOUR)
    return indicateur


@pytest.mark.django_db
def test_the_indicator_page_shows_values_to_the_unit_and_progress_to_one_decimal(client, personnes):
    evaluation = Evaluation.objects.get(indicateur=personnes, date=JOUR)

    page = client.get(f"/indicateurs/{personnes.code}/").content.decode()

    assert f"2{ESPACE}075{INSECABLE}personnes (01/01/2025)" in page
    assert f"{_arrondi(evaluation.valeur_attendue, '1')}{INSECABLE}personnes" in page
    assert "2074" not in page and f"2{ESPACE}074,58" not in page
    avancement = _arrondi(evaluation.avancement, "0.1")
    attendu = _arrondi(evaluation.avancement_attendu, "0.1")
    assert f"avancement {avancement}{INSECABLE}% pour {attendu}{INSECABLE}% attendus" in page
    # The chart's data table and its points read the same.
    assert f'<td class="ti-montant">2{ESPACE}075</td>' in page
    assert f"Mesure validée : 2{ESPACE}075{INSECABLE}personnes au 01/01/2025" in page


@pytest.mark.django_db
def test_the_validation_queue_shows_the_submitted_value_exactly():
    indicateur = IndicateurFactory(unite="personnes")
    MesureFactory(indicateur=indicateur, valeur=D("2074.5832"))
    client = Client()
    client.force_login(compte("charge"))

    page = client.get("/indicateurs/mesures/a-valider/").content.decode()

    assert f"2{ESPACE}074,5832{INSECABLE}personnes" in page


@pytest.mark.django_db
def test_the_directors_digest_states_each_target_to_its_units_precision(personnes):
    compte("directeur", regions=[personnes.impact.projet.region.code], email="direction@example.fr")
    personnes.valeur_cible = D("5000.4")
    personnes.save()

    services.synthese_send(date=JOUR)

    assert f"cible 5{ESPACE}000{INSECABLE}personnes au 31/12/2030" in mail.outbox[0].body
