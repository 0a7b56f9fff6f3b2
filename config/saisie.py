"""Numbers typed by people: amounts the French way in HTML forms, decimal strings in the API.

Python's Decimal() reads far more than anyone means to type: "1e3", "NaN", "Infinity",
"1_000", full-width or Arabic-Indic digits. Every input is matched first against an
explicit ASCII pattern and only then handed to Decimal, so that an ambiguous amount is
refused with an example rather than silently re-read.
"""

import re
from decimal import Decimal

from django import forms
from rest_framework import serializers

ESPACE_FINE = "\u202f"  # narrow no-break space, the French thousands separator (as laureats' « euros » filter)
EXEMPLE = f"1{ESPACE_FINE}000,50"
MESSAGE = f"Saisissez un montant en euros, par exemple {EXEMPLE}"

# Thousands groups of exactly three digits after a plain, no-break or narrow no-break space,
# then a decimal comma; or bare digits with a decimal comma or a single dot. A dot with
# three digits ("1.000") could be a thousands separator, so a dot takes one or two decimals.
_MONTANT = re.compile(
    r"""
    (?:
        (?P<groupes>[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+) (?:,(?P<decimales_groupes>[0-9]+))?
      | (?P<entier>[0-9]+) (?:,(?P<decimales_virgule>[0-9]+) | \.(?P<decimales_point>[0-9]{1,2}))?
    )
    (?:[ \u00a0\u202f]?€)?
    """,
    re.VERBOSE,
)
# The API's contract: "1000.50", optionally negative; nothing else Decimal() would take.
_DECIMAL_API = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DECIMALES = ("decimales_groupes", "decimales_virgule", "decimales_point")


class SaisieInvalide(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def montant_parse(texte: str, *, decimales: int = 2) -> Decimal:
    """« 1 000,50 », « 1000,50 », « 1000.50 » -> Decimal("1000.50"); anything ambiguous raises SaisieInvalide."""
    trouve = _MONTANT.fullmatch(texte.strip(" \u00a0\u202f\t\r\n"))
    if trouve is None:
        raise SaisieInvalide(f"{MESSAGE}.")
    entier = trouve["groupes"] or trouve["entier"]
    partie_decimale = next((d for d in trouve.group(*_DECIMALES) if d is not None), "")
    if len(partie_decimale) > decimales:
        raise SaisieInvalide(f"{MESSAGE} : pas plus de {decimales} chiffres après la virgule.")
    chiffres = re.sub(r"[^0-9]", "", entier)
    return Decimal(f"{chiffres}.{partie_decimale}" if partie_decimale else chiffres)


def montant_format(valeur: Decimal) -> str:
    """Decimal("1000.5") -> « 1 000,50 » (narrow no-break spaces), which montant_parse() reads back."""
    texte = f"{valeur:,.2f}"
    return texte.replace(",", ESPACE_FINE).replace(".", ",")


class MontantField(forms.DecimalField):
    """An amount in euros as a French user types it, shown back the same way."""

    # A number input would refuse the decimal comma and the spaces between thousands.
    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 2)
        kwargs.pop("localize", None)  # the French reading is this field's own, not the locale's
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return montant_parse(str(value), decimales=self.decimal_places)
        except SaisieInvalide as exc:
            raise forms.ValidationError(exc.message, code="invalid") from exc

    def prepare_value(self, value):
        return montant_format(value) if isinstance(value, Decimal) and value.is_finite() else value


class DecimalChaineField(serializers.DecimalField):
    """A decimal written as an ASCII string ("5700000.00"): never a JSON number, an exponent or NaN."""

    default_error_messages = {
        "invalid": (
            "Un nombre décimal est attendu, sous forme de chaîne en chiffres ASCII (ex. « 1250.50 ») : "
            "ni exposant, ni espace, ni virgule."
        )
    }

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _DECIMAL_API.fullmatch(data.strip()):
            self.fail("invalid")
        return super().to_internal_value(data)
