"""What every CSV and XLSX export writes in a cell: text a spreadsheet can never run as a formula.

A spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` as a formula (and tab or
carriage return as blanks before one): a partner's `=HYPERLINK(...)` typed as a measure's
source would reach an officer's export as a live link. OWASP's "CSV injection" remedy is
a leading apostrophe, which shows the text as typed.

Numbers stay numbers: only text is prefixed, never a Decimal, int, float, date or
datetime; and a text that is exactly a decimal number (the API writes amounts as
"-1250.50") is a number to the spreadsheet, not a formula, so it is left as it is.
"""

import re

DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")
# The API's decimal strings ("-12.7500"): read as a number, never as a formula.
_NOMBRE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def cellule(valeur):
    """The value as a CSV or XLSX cell: formula-like text gets a leading apostrophe, anything else is unchanged."""
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DE_FORMULE) and not _NOMBRE.fullmatch(valeur):
        return "'" + valeur
    return valeur
