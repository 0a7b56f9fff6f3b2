"""config.saisie: what a person may type as an amount, and what is refused rather than re-read."""

from decimal import Decimal

import pytest
from django import forms
from rest_framework import serializers

from config.saisie import (
    DecimalChaineField,
    MontantField,
    NombreField,
    SaisieInvalide,
    montant_format,
    montant_parse,
    nombre_parse,
)

EXEMPLE = "Saisissez un montant en euros, par exemple 1\u202f000,50"

ACCEPTES = [
    ("1000,50", Decimal("1000.50")),
    ("1 000,50", Decimal("1000.50")),
    ("1\u00a0000,50", Decimal("1000.50")),
    ("1\u202f000,50", Decimal("1000.50")),
    ("1 000 000", Decimal("1000000")),
    ("1\u00a0000\u00a0000", Decimal("1000000")),
    ("1\u202f000\u202f000", Decimal("1000000")),
    ("12 345 678,9", Decimal("12345678.9")),
    ("1000.50", Decimal("1000.50")),
    ("1000.5", Decimal("1000.5")),
    ("5700000", Decimal("5700000")),
    ("0,01", Decimal("0.01")),
    ("999", Decimal("999")),
    ("  250 000  ", Decimal("250000")),
    ("1 000,50 €", Decimal("1000.50")),
    ("1000,50\u00a0€", Decimal("1000.50")),
    ("250000€", Decimal("250000")),
]

REFUSES = [
    "1.000.000",  # a dot as thousands separator: 1 000 000 or 1? never guessed
    "1.000",  # three digits after a single dot: the same ambiguity
    "1,000.50",
    "1.000,50",
    "1 000.50",
    "1e3",
    "1E3",
    "\uff11\uff12\uff13",  # full-width digits
    "\u0661\u0662\u0663",  # Arabic-Indic digits
    "\u0967\u0968\u0969",  # Devanagari digits
    "1\u202f\u0660\u0660\u0660",
    "-3",
    "+3",
    "-1 000,50",
    "Infinity",
    "-Infinity",
    "NaN",
    "inf",
    "1_000",
    "10 00",
    "1 0000",
    "1  000",
    "1\t000",
    ",50",
    "1000,",
    "1000.",
    "1 000 €€",
    "€",
    "beaucoup",
    "0x10",
]


@pytest.mark.parametrize(("texte", "attendu"), ACCEPTES)
def test_an_amount_typed_the_french_way_reads_as_the_exact_decimal(texte, attendu):
    valeur = montant_parse(texte)
    assert valeur == attendu and isinstance(valeur, Decimal)
    assert valeur.as_tuple().exponent == attendu.as_tuple().exponent


@pytest.mark.parametrize("texte", REFUSES)
def test_an_ambiguous_or_foreign_amount_is_refused_with_an_example(texte):
    with pytest.raises(SaisieInvalide) as refus:
        montant_parse(texte)
    assert refus.value.message.startswith(EXEMPLE)


@pytest.mark.parametrize("texte", ["1000,505", "1 000,505", "12,345"])
def test_more_decimals_than_allowed_are_refused_and_the_limit_is_named(texte):
    with pytest.raises(SaisieInvalide) as refus:
        montant_parse(texte)
    assert refus.value.message == f"{EXEMPLE} : pas plus de 2 chiffres après la virgule."


def test_the_number_of_decimals_allowed_is_a_parameter():
    assert montant_parse("12,3456", decimales=4) == Decimal("12.3456")
    with pytest.raises(SaisieInvalide):
        montant_parse("12,34567", decimales=4)


@pytest.mark.parametrize(
    ("valeur", "texte"),
    [
        (Decimal("1000.5"), "1\u202f000,50"),
        (Decimal("0.01"), "0,01"),
        (Decimal("1234567"), "1\u202f234\u202f567,00"),
        (Decimal("999.99"), "999,99"),
    ],
)
def test_an_amount_is_shown_the_french_way_and_reads_back_the_same(valeur, texte):
    assert montant_format(valeur) == texte
    assert montant_parse(texte) == valeur


def test_the_form_field_cleans_french_input_and_redisplays_it_the_french_way():
    field = MontantField(max_digits=15, decimal_places=2, min_value=Decimal("0.01"))
    assert field.clean("1 000,50") == Decimal("1000.50")
    assert field.prepare_value(Decimal("1000.50")) == "1\u202f000,50"
    assert field.widget.attrs["inputmode"] == "decimal"
    assert field.widget.input_type == "text"  # a number input would refuse the decimal comma


@pytest.mark.parametrize("texte", ["1e3", "1.000.000", "NaN", "\uff11\uff12\uff13", "-3"])
def test_the_form_field_refuses_what_the_parser_refuses(texte):
    with pytest.raises(forms.ValidationError) as refus:
        MontantField(max_digits=15, decimal_places=2).clean(texte)
    assert refus.value.messages[0].startswith(EXEMPLE)


def test_the_form_field_keeps_the_ceilings_of_the_column():
    with pytest.raises(forms.ValidationError) as refus:
        MontantField(max_digits=15, decimal_places=2).clean("100 000 000 000 000")
    assert "pas plus de 13 chiffres avant la virgule" in refus.value.messages[0]
    assert MontantField(required=False).clean("") is None


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [("1000.50", Decimal("1000.50")), ("12", Decimal("12")), ("-12.5", Decimal("-12.5"))],
)
def test_the_api_field_reads_a_plain_decimal_string(texte, attendu):
    assert DecimalChaineField(max_digits=15, decimal_places=2).run_validation(texte) == attendu


@pytest.mark.parametrize(
    "valeur",
    [
        "1e3", "1E3", "1e-2", "NaN", "nan", "Infinity", "-Infinity", "inf", "\uff11\uff12\uff13",
        "\u0661\u0662\u0663", "1_000", "1 000,50", "1000,50", "1.000.000", ".5", "12.", "+12", "", 1000, 12.5, None,
        " 7.25 ", "7.25\n",  # the schema's pattern is anchored: no space around the number
    ],
)  # fmt: skip
def test_the_api_field_refuses_exponents_foreign_digits_and_non_numbers(valeur):
    field = DecimalChaineField(max_digits=15, decimal_places=2)
    with pytest.raises(serializers.ValidationError) as refus:
        field.run_validation(valeur)
    assert "nombre décimal" in str(refus.value.detail[0]).lower() or valeur in ("", None)


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("85", Decimal("85")),
        ("85,5", Decimal("85.5")),
        ("85.5", Decimal("85.5")),
        ("-12,75", Decimal("-12.75")),
        ("1 250,1234", Decimal("1250.1234")),
        ("-1\u202f250", Decimal("-1250")),
        ("0,0001", Decimal("0.0001")),
    ],
)
def test_a_value_may_be_negative_and_carry_four_decimals(texte, attendu):
    assert nombre_parse(texte) == attendu


@pytest.mark.parametrize(
    "texte", ["1e2", "\uff18\uff15", "\u0668\u0665", "NaN", "Infinity", "1.000.000", "12.125", "+5", "85 €", "--5"]
)
def test_a_value_refuses_the_same_ambiguities_and_units(texte):
    with pytest.raises(SaisieInvalide) as refus:
        nombre_parse(texte)
    assert refus.value.message == "Saisissez un nombre, par exemple 1\u202f250,5 ou -12,75."


def test_a_value_is_shown_without_trailing_zeros():
    field = NombreField()
    assert field.prepare_value(Decimal("80.0000")) == "80"
    assert field.prepare_value(Decimal("-1250.7500")) == "-1\u202f250,75"
    assert field.clean(field.prepare_value(Decimal("-1250.7500"))) == Decimal("-1250.75")
    with pytest.raises(forms.ValidationError) as refus:
        field.clean("1,12345")
    assert refus.value.messages == [
        "Saisissez un nombre, par exemple 1\u202f250,5 ou -12,75 : pas plus de 4 chiffres après la virgule."
    ]
