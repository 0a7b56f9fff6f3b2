"""The one rule every CSV and XLSX export applies to a cell: formula-like text gets a leading apostrophe."""

import datetime
from decimal import Decimal

import pytest

from config.tableur import cellule


@pytest.mark.parametrize(
    "texte",
    [
        '=HYPERLINK("http://exemple.invalid","Source")',
        "+33 1 23 45 67 89",
        "-2+3",
        "-",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_text_a_spreadsheet_would_read_as_a_formula_gets_a_leading_apostrophe(texte):
    assert cellule(texte) == "'" + texte


@pytest.mark.parametrize("texte", ["Observatoire régional", "1 000,50", "CP-2024-1", "'déjà cité", " =1+1", "a=b"])
def test_any_other_text_is_written_as_it_is(texte):
    assert cellule(texte) == texte


@pytest.mark.parametrize(
    "valeur",
    [
        Decimal("-150.00"),
        Decimal("1234.56"),
        -3,
        0,
        -0.5,
        datetime.date(2024, 3, 1),
        datetime.datetime(2024, 3, 1, 23, 30, tzinfo=datetime.UTC),
        None,
        True,
    ],
)
def test_numbers_dates_and_empty_cells_are_never_prefixed(valeur):
    assert cellule(valeur) is valeur


@pytest.mark.parametrize("texte", ["-150.00", "-12.7500", "-3", "0.49", "42"])
def test_a_decimal_the_api_writes_as_text_stays_a_number(texte):
    # The API gives amounts as "-150.00": a spreadsheet reads that as a number, never as a formula.
    assert cellule(texte) == texte


def test_an_empty_text_stays_empty():
    assert cellule("") == ""
