"""The export files as a spreadsheet opens them: type, name, encoding, sheet, cell formats, times."""

import codecs
import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from financements.exports import response

LIGNES = [
    ["Projet", "Montant (€)", "Date", "Enregistré le", "Taux (%)"],
    ["BIOVALLÉE", Decimal("1234.56"), datetime.date(2024, 3, 1),
     datetime.datetime(2024, 3, 1, 23, 30, 15, tzinfo=datetime.UTC), None],
]  # fmt: skip


def feuille_de(reponse):
    return load_workbook(io.BytesIO(reponse.content)).active


def test_the_csv_is_served_as_utf8_csv_under_its_own_file_name():
    reponse = response(LIGNES, "grand-livre", "csv")

    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse["Content-Disposition"] == 'attachment; filename="grand-livre.csv"'


def test_the_csv_starts_with_a_byte_order_mark_and_separates_cells_with_semicolons():
    contenu = response(LIGNES, "grand-livre", "csv").content

    # Without the mark, spreadsheet software reads "Région" as Latin-1; with commas, French figures split.
    assert contenu.startswith(codecs.BOM_UTF8)
    assert contenu[len(codecs.BOM_UTF8) :].decode("utf-8").splitlines() == [
        "Projet;Montant (€);Date;Enregistré le;Taux (%)",
        "BIOVALLÉE;1234.56;2024-03-01;2024-03-01 23:30:15+00:00;",
    ]


def test_the_xlsx_is_served_as_a_spreadsheet_under_its_own_file_name():
    reponse = response(LIGNES, "financements-84", "xlsx")

    assert reponse["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert reponse["Content-Disposition"] == 'attachment; filename="financements-84.xlsx"'
    assert feuille_de(reponse).title == "financements-84"


def test_a_sheet_name_is_cut_to_the_31_characters_excel_accepts():
    nom = "financements-" + "x" * 27  # 40 characters

    assert feuille_de(response(LIGNES, nom, "xlsx")).title == "financements-" + "x" * 18


def test_the_xlsx_keeps_every_value_with_its_type():
    feuille = feuille_de(response(LIGNES, "grand-livre", "xlsx"))

    assert [c.value for c in feuille[1]] == LIGNES[0]
    projet, montant, date, enregistre, taux = (c.value for c in feuille[2])
    assert (projet, Decimal(str(montant)), taux) == ("BIOVALLÉE", Decimal("1234.56"), None)
    assert date == datetime.datetime(2024, 3, 1)
    # Excel has no time zones: the time is the UTC one, written without its zone.
    assert enregistre == datetime.datetime(2024, 3, 1, 23, 30, 15)


def test_only_amounts_and_rates_get_the_two_decimals_format_in_the_xlsx():
    feuille = feuille_de(response(LIGNES, "grand-livre", "xlsx"))

    assert [c.number_format for c in feuille[1]] == ["General"] * 5
    projet, montant, date, enregistre, taux = feuille[2]
    assert montant.number_format == "#,##0.00"
    assert projet.number_format == "General" and taux.number_format == "General"
    assert date.is_date and enregistre.is_date
