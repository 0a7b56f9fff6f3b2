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
MESSAGE = f"Saisissez un montant en euros, par exemple 1{ESPACE_FINE}000,50"
MESSAGE_NOMBRE = f"Saisissez un nombre, par exemple 1{ESPACE_FINE}250,5 ou -12,75"

# Thousands groups of exactly three digits after a plain, no-break or narrow no-break space,
# then a decimal comma; or bare digits with a decimal comma or a single dot. A dot with
# three digits ("1.000") could be a thousands separator, so a dot takes one or two decimals.
_CHIFFRES = r"""
    (?:
        (?P<groupes>[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+) (?:,(?P<decimales_groupes>[0-9]+))?
      | (?P<entier>[0-9]+) (?:,(?P<decimales_virgule>[0-9]+) | \.(?P<decimales_point>[0-9]{1,2}))?
    )
"""
_MONTANT = re.compile(_CHIFFRES + r"(?:[ \u00a0\u202f]?€)?", re.VERBOSE)
_NOMBRE = re.compile(r"(?P<signe>-)?" + _CHIFFRES, re.VERBOSE)
# The API's contract: "1000.50", optionally negative; nothing else Decimal() would take.
_DECIMAL_API = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_DECIMALES = ("decimales_groupes", "decimales_virgule", "decimales_point")
_ESPACES_AUTOUR = " \u00a0\u202f\t\r\n"


class SaisieInvalide(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _lire(texte: str, *, motif: re.Pattern, decimales: int, message: str) -> Decimal:
    trouve = motif.fullmatch(texte.strip(_ESPACES_AUTOUR))
    if trouve is None:
        raise SaisieInvalide(f"{message}.")
    partie_decimale = next((d for d in trouve.group(*_DECIMALES) if d is not None), "")
    if len(partie_decimale) > decimales:
        raise SaisieInvalide(f"{message} : pas plus de {decimales} chiffres après la virgule.")
    chiffres = re.sub(r"[^0-9]", "", trouve["groupes"] or trouve["entier"])
    signe = "-" if "signe" in motif.groupindex and trouve["signe"] else ""
    return Decimal(f"{signe}{chiffres}.{partie_decimale}" if partie_decimale else f"{signe}{chiffres}")


def montant_parse(texte: str, *, decimales: int = 2) -> Decimal:
    """« 1 000,50 », « 1000,50 », « 1000.50 » -> Decimal("1000.50"); anything ambiguous raises SaisieInvalide."""
    return _lire(texte, motif=_MONTANT, decimales=decimales, message=MESSAGE)


def nombre_parse(texte: str, *, decimales: int = 4) -> Decimal:
    """The same reading for a measured value, which may be negative (an evolution in %) and has no unit."""
    return _lire(texte, motif=_NOMBRE, decimales=decimales, message=MESSAGE_NOMBRE)


def montant_format(valeur: Decimal) -> str:
    """Decimal("1000.5") -> « 1 000,50 » (narrow no-break spaces), which montant_parse() reads back."""
    return f"{valeur:,.2f}".replace(",", ESPACE_FINE).replace(".", ",")


def nombre_format(valeur: Decimal) -> str:
    """Decimal("1250.7500") -> « 1 250,75 », Decimal("80.0000") -> « 80 »: no trailing zeros to edit around."""
    return f"{valeur.normalize():,f}".replace(",", ESPACE_FINE).replace(".", ",")


class MontantField(forms.DecimalField):
    """An amount in euros as a French user types it, shown back the same way."""

    # A number input would refuse the decimal comma and the spaces between thousands.
    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    lire = staticmethod(montant_parse)
    montrer = staticmethod(montant_format)

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
            return self.lire(str(value), decimales=self.decimal_places)
        except SaisieInvalide as exc:
            raise forms.ValidationError(exc.message, code="invalid") from exc

    def prepare_value(self, value):
        return self.montrer(value) if isinstance(value, Decimal) and value.is_finite() else value


class NombreField(MontantField):
    """A measured or target value typed the French way: « -1 250,5 »; four decimals unless told."""

    lire = staticmethod(nombre_parse)
    montrer = staticmethod(nombre_format)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(**kwargs)


# ECMAScript's \s, which the schema's patterns mean (JSON Schema regexes are ECMA-262). Python's
# str.strip(), which DRF trims with, leaves U+FEFF: a text of it alone passed as not blank.
_BLANCS_ECMA = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_NON_BLANC = re.compile(f"[^{_BLANCS_ECMA}]")


class TexteStrict(serializers.CharField):
    """A text field that takes JSON strings only: 42 or true is a 400, not "42" or "True".

    Unless blank is allowed, the schema declares it with the pattern `\\S`; a text of
    whitespace alone, in that pattern's sense, is refused as blank.
    """

    default_error_messages = {"invalid": "Texte attendu."}

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str) and data and not self.allow_blank and not _NON_BLANC.search(data):
            self.fail("blank")
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class DecimalChaineField(serializers.DecimalField):
    """A decimal written as an ASCII string ("5700000.00"): never a JSON number, an exponent or NaN.

    What it accepts is exactly what the schema's pattern for it accepts (`motif`, the pattern
    drf-spectacular derives from max_digits and decimal_places, with at least one digit each
    side of the point): no surrounding space, no leading zeros beyond the integer digits.
    A client that checks its values against the schema is never surprised by a 400, and
    a value the schema refuses is never recorded.
    """

    default_error_messages = {
        "invalid": (
            "Un nombre décimal est attendu, sous forme de chaîne en chiffres ASCII (ex. « 1250.50 ») : "
            "ni exposant, ni espace, ni virgule."
        ),
        "motif": "Un nombre décimal est attendu, d'au plus {entiers} chiffres avant le point et {decimales} après.",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        entiers = "" if self.max_digits is None else self.max_digits - (self.decimal_places or 0)
        decimales = "" if self.decimal_places is None else self.decimal_places
        self.motif = re.compile(rf"^-?\d{{1,{entiers}}}(?:\.\d{{1,{decimales}}})?$", re.ASCII)

    def validate_empty_values(self, data):
        # DRF reads "" as null on a nullable decimal; the schema's pattern refuses "", and so does the API.
        if isinstance(data, str) and not data.strip():
            self.fail("invalid")
        return serializers.Field.validate_empty_values(self, data)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _DECIMAL_API.fullmatch(data):
            self.fail("invalid")
        valeur = super().to_internal_value(data)  # its messages name the digit limit exceeded
        if not self.motif.fullmatch(data):
            self.fail("motif", entiers=self.max_digits - self.decimal_places, decimales=self.decimal_places)
        return valeur
