"""The export files as a French spreadsheet opens them: type, name, encoding, separators, number formats, times."""

import codecs
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from financements.exports import DATE, HORODATAGE, MONTANT, TAUX, Colonne, csv_cellule, response, xlsx_cellule

COLONNES = [Colonne("Projet"), Colonne("Montant (€)", MONTANT), Colonne("Date", DATE),
            Colonne("Enregistré le (heure de Paris)", HORODATAGE), Colonne("Taux (%)", TAUX)]  # fmt: skip
# 23:30 UTC on 1 March is 00:30 on 2 March in Paris (UTC+1 in winter).
LIGNES = [
    ["BIOVALLÉE", Decimal("-1234.56"), datetime.date(2024, 3, 1),
     datetime.datetime(2024, 3, 1, 23, 30, 15, tzinfo=datetime.UTC), Decimal("17.54")],
    ["Projet sans taux", Decimal("1500000.00"), datetime.date(2024, 12, 31),
     datetime.datetime(2024, 7, 1, 10, 0, tzinfo=datetime.UTC), None],
]  # fmt: skip


def feuille_de(reponse):
    return load_workbook(io.BytesIO(reponse.content)).active


def test_the_csv_is_served_as_utf8_csv_under_its_own_file_name():
    reponse = response(COLONNES, LIGNES, "grand-livre", "csv")

    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse["Content-Disposition"] == 'attachment; filename="grand-livre.csv"'


def test_the_csv_follows_french_spreadsheet_conventions():
    contenu = response(COLONNES, LIGNES, "grand-livre", "csv").content

    # Without the mark, spreadsheet software reads "Région" as Latin-1; with commas, French figures split.
    assert contenu.startswith(codecs.BOM_UTF8)
    assert contenu[len(codecs.BOM_UTF8) :].decode("utf-8") == (
        "Projet;Montant (€);Date;Enregistré le (heure de Paris);Taux (%)\r\n"
        "BIOVALLÉE;-1234,56;01/03/2024;02/03/2024 00:30:15;17,54\r\n"
        # Summer time: UTC+2. No thousands separator: "1 500 000,00" would be read as text.
        "Projet sans taux;1500000,00;31/12/2024;01/07/2024 12:00:00;\r\n"
    )


@pytest.mark.parametrize(
    ("valeur", "texte"),
    [
        (Decimal("-1500.00"), "-1500,00"),
        (Decimal("0.49"), "0,49"),
        (Decimal("5700000.00"), "5700000,00"),
        (Decimal("1E+3"), "1000"),  # never the exponent notation a spreadsheet would misread
        (datetime.date(2025, 1, 9), "09/01/2025"),
        (datetime.datetime(2024, 10, 27, 0, 59, tzinfo=datetime.UTC), "27/10/2024 02:59:00"),  # still UTC+2
        (datetime.datetime(2024, 10, 27, 1, 0, tzinfo=datetime.UTC), "27/10/2024 02:00:00"),  # back to UTC+1
        (None, ""),
        ("=1+1", "'=1+1"),
        ("-1500,00", "'-1500,00"),  # text typed like a negative amount stays the text typed
        ("Convention", "Convention"),
    ],
)
def test_each_kind_of_value_is_written_as_a_french_spreadsheet_reads_it(valeur, texte):
    assert csv_cellule(valeur) == texte


def test_the_xlsx_is_served_as_a_spreadsheet_under_its_own_file_name():
    reponse = response(COLONNES, LIGNES, "financements-84", "xlsx")

    assert reponse["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert reponse["Content-Disposition"] == 'attachment; filename="financements-84.xlsx"'
    assert feuille_de(reponse).title == "financements-84"


def test_a_sheet_name_is_cut_to_the_31_characters_excel_accepts():
    nom = "financements-" + "x" * 27  # 40 characters

    assert feuille_de(response(COLONNES, LIGNES, nom, "xlsx")).title == "financements-" + "x" * 18


def test_the_xlsx_keeps_every_value_with_its_type_and_times_in_paris():
    feuille = feuille_de(response(COLONNES, LIGNES, "grand-livre", "xlsx"))

    assert [c.value for c in feuille[1]] == [c.entete for c in COLONNES]
    projet, montant, date, enregistre, taux = feuille[2]
    assert projet.value == "BIOVALLÉE"
    assert (montant.data_type, Decimal(str(montant.value))) == ("n", Decimal("-1234.56"))
    assert date.value == datetime.datetime(2024, 3, 1)
    # Excel has no time zones: Paris time, the zone named in the header.
    assert enregistre.value == datetime.datetime(2024, 3, 2, 0, 30, 15)
    # The rate as a fraction under a percent format: 17,54 % on screen, as on the dashboard.
    assert (taux.data_type, Decimal(str(taux.value))) == ("n", Decimal("0.1754"))
    assert feuille["E3"].value is None


def test_the_xlsx_cells_carry_french_readable_number_formats():
    feuille = feuille_de(response(COLONNES, LIGNES, "grand-livre", "xlsx"))

    for ligne in (2, 3):
        projet, montant, date, enregistre, taux = feuille[ligne]
        assert projet.number_format == "General"
        assert montant.number_format == '#,##0.00\\ "€"'
        assert (date.number_format, enregistre.number_format) == ("dd/mm/yyyy", "dd/mm/yyyy hh:mm:ss")
        assert date.is_date and enregistre.is_date
        assert taux.number_format == "0.00\\ %"
    assert [c.number_format for c in feuille[1]] == ["General"] * 5


def test_the_xlsx_header_is_bold_frozen_and_filters_the_whole_table():
    feuille = feuille_de(response(COLONNES, LIGNES, "grand-livre", "xlsx"))

    assert [c.font.b for c in feuille[1]] == [True] * 5
    assert not any(c.font.b for c in feuille[2])
    assert feuille.freeze_panes == "A2"
    assert feuille.auto_filter.ref == "A1:E3"


def test_an_empty_export_is_a_header_with_its_filter():
    feuille = feuille_de(response(COLONNES, [], "grand-livre", "xlsx"))

    assert feuille.max_row == 1 and feuille.auto_filter.ref == "A1:E1"


def _largeurs(colonnes: list[Colonne], lignes: list[list]) -> list[float]:
    feuille = feuille_de(response(colonnes, lignes, "grand-livre", "xlsx"))
    return [feuille.column_dimensions[get_column_letter(n)].width for n in range(1, len(colonnes) + 1)]


def test_the_columns_are_wide_enough_for_their_header_and_their_longest_text():
    longue = "Projet au titre très long " * 4  # 104 characters

    # The text column stops at 60; a header longer than a column's least width gets its length plus
    # room for the filter button.
    assert _largeurs(COLONNES, [[longue, *LIGNES[0][1:]], ["Court", *LIGNES[1][1:]]]) == [
        60, 18, 12, len("Enregistré le (heure de Paris)") + 3, len("Taux (%)") + 3,
    ]  # fmt: skip
    assert _largeurs([Colonne("R")], [["Auvergne-Rhône-Alpes"], ["Corse"]]) == [len("Auvergne-Rhône-Alpes") + 1]
    assert _largeurs([Colonne("Enveloppe (code)")], [["subvention"]]) == [len("Enveloppe (code)") + 3]


def test_a_column_is_never_narrower_than_its_kind_of_value_needs():
    colonnes = [Colonne("A"), Colonne("M", MONTANT), Colonne("D", DATE), Colonne("H", HORODATAGE), Colonne("T", TAUX)]

    assert _largeurs(colonnes, [["ab", *LIGNES[0][1:]]]) == [10, 18, 12, 20, 10]


def test_a_row_that_does_not_fit_the_columns_is_refused_not_shifted():
    with pytest.raises(ValueError):
        response(COLONNES, [LIGNES[0][:4]], "grand-livre", "xlsx")


def test_a_rate_cell_keeps_an_absent_rate_absent_and_a_text_goes_through_the_formula_rule():
    assert xlsx_cellule(None, TAUX) is None
    assert xlsx_cellule(Decimal("100.00"), TAUX) == Decimal("1")
    assert xlsx_cellule("=1+1", "texte") == "'=1+1"
    assert xlsx_cellule(Decimal("12.50"), MONTANT) == Decimal("12.50")


def test_times_are_paris_times_whatever_the_server_time_zone(settings):
    """A server configured in UTC (TIME_ZONE, which Django also sets as the process's zone) still exports Paris time."""
    settings.TIME_ZONE = "UTC"
    ete = datetime.datetime(2024, 7, 1, 10, 0, tzinfo=datetime.UTC)

    assert datetime.datetime.now().astimezone().utcoffset() == datetime.timedelta(0)  # the process is in UTC
    assert csv_cellule(ete) == "01/07/2024 12:00:00"
    assert xlsx_cellule(ete, HORODATAGE) == datetime.datetime(2024, 7, 1, 12, 0)
