"""The portal's exports read back as text, figures in the API's notation, whichever the file."""

import csv
import io
import re
from decimal import Decimal

from openpyxl import load_workbook

DECIMAL_FRANCAIS = re.compile(r"-?[0-9]+,[0-9]+")


def rows_of(response) -> list[list[str]]:
    """Every row, header included: "1234,56" from the CSV as "1234.56"; a rate from the XLSX in % as shown."""
    if response["Content-Type"].startswith("text/csv"):
        rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
        return [[c.replace(",", ".") if DECIMAL_FRANCAIS.fullmatch(c) else c for c in row] for row in rows]
    feuille = load_workbook(io.BytesIO(response.content)).active
    return [[_texte(c) for c in row] for row in feuille.iter_rows()]


def _texte(cellule) -> str:
    if cellule.value is None:
        return ""
    if "%" in cellule.number_format:
        # XLSX gives numbers back as floats: their shortest repr is the decimal that was written.
        return str(Decimal(str(cellule.value)) * 100)
    return str(cellule.value)
