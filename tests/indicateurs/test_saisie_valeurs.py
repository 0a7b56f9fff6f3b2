"""An officer types an indicator's baseline and target the French way; ambiguous numbers are refused."""

from decimal import Decimal

import pytest
from django.test import Client

from indicateurs.models import Indicateur
from tests.factories import compte
from tests.indicateurs.test_modification_cible import CODE, URL, form_data

pytestmark = pytest.mark.django_db
EXEMPLE = "Saisissez un nombre, par exemple 1\u202f250,5 ou -12,75"


@pytest.fixture
def charge() -> Client:
    client = Client()
    client.force_login(compte("charge"))
    return client


@pytest.mark.parametrize(
    ("tape", "attendu"),
    [
        ("85,5", Decimal("85.5")),
        ("85.5", Decimal("85.5")),
        ("1 250,75", Decimal("1250.75")),
        ("1\u202f250", Decimal("1250")),
    ],
)
def test_a_target_typed_the_french_way_is_stored_exactly(charge, tape, attendu):
    response = charge.post(URL, form_data(valeur_cible=tape))

    assert response.status_code == 302
    assert Indicateur.objects.get(code=CODE).valeur_cible == attendu


def test_a_baseline_with_a_decimal_comma_is_stored_exactly(charge):
    response = charge.post(URL, form_data(valeur_reference="12,25", date_reference="2019-01-01"))

    assert response.status_code == 302
    assert Indicateur.objects.get(code=CODE).valeur_reference == Decimal("12.25")


@pytest.mark.parametrize("tape", ["1e2", "1E2", "\uff18\uff15", "\u0668\u0665", "NaN", "Infinity", "1.000.000"])
@pytest.mark.parametrize("champ", ["valeur_cible", "valeur_reference"])
def test_an_exponent_or_a_foreign_digit_is_refused_and_nothing_changes(charge, champ, tape):
    avant = Indicateur.objects.values_list("valeur_reference", "valeur_cible").get(code=CODE)

    response = charge.post(URL, form_data(**{champ: tape}))

    assert response.status_code == 200
    assert response.context["form"].errors[champ] == [f"{EXEMPLE}."]
    assert Indicateur.objects.values_list("valeur_reference", "valeur_cible").get(code=CODE) == avant


def test_the_form_shows_the_target_without_trailing_zeros(charge):
    Indicateur.objects.filter(code=CODE).update(valeur_cible=Decimal("1250.5"))
    assert 'value="1\u202f250,5"' in charge.get(URL).content.decode()
