"""An organisation's legal identifiers: SIREN, SIRET and RNA number, normalised and validated.

The check digits are python-stdnum's (`stdnum.fr.siren`, `stdnum.fr.siret`), La Poste's
exception included: the SIRETs of SIREN 356 000 000 other than its head office's do not
carry a Luhn key, the sum of their digits is a multiple of 5 instead.

Two levels, one rule each:
- `siren_normalise`, `siret_normalise`, `rna_normalise` take what a person typed (spaces,
  dots, non-breaking spaces of a French number, lower-case w) and return the stored form,
  or refuse it with a message that names the rule broken (characters, length, key);
- `valider_cle_siren`, `valider_cle_siret`, `valider_rna` are the model fields' validators:
  they check a stored value, leaving its shape (digits, length) to the table's check
  constraints, whose messages already say it.
"""

import re

from django.core.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

SIREN_LA_POSTE = "356000000"
RNA_MOTIF = r"^W[0-9]{9}$"
# What a French number may be typed with: spaces (non-breaking and narrow ones too) and dots.
SEPARATEURS = re.compile(r"[\s.\u00a0\u202f\u2007\u2009]")

MESSAGES = {
    "siren_caracteres": "Le SIREN ne compte que des chiffres (espaces et points sont ignorés).",
    "siren_longueur": "Le SIREN compte exactement neuf chiffres.",
    "siren_cle": "Clé de contrôle du SIREN invalide : un chiffre est faux ou deux sont inversés.",
    "siret_vide": "Saisissez le SIRET de l'établissement : quatorze chiffres.",
    "siret_caracteres": "Le SIRET ne compte que des chiffres (espaces et points sont ignorés).",
    "siret_longueur": "Le SIRET compte exactement quatorze chiffres.",
    "siret_cle_siren": "Clé de contrôle invalide : les neuf premiers chiffres du SIRET ne forment pas un SIREN valide.",
    "siret_cle": "Clé de contrôle du SIRET invalide : un chiffre est faux ou deux sont inversés.",
    "siret_cle_la_poste": (
        "Clé de contrôle du SIRET invalide : pour un établissement de La Poste (SIREN 356 000 000), "
        "la somme des chiffres est un multiple de 5."
    ),
    "rna_format": "Le numéro RNA est un W suivi de neuf chiffres (par exemple W751234567).",
}


def _erreur(code: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code)


def _chiffres(valeur: str) -> str:
    return SEPARATEURS.sub("", valeur or "")


def _cle_siren(siren: str) -> None:
    if not stdnum_siren.is_valid(siren):
        raise _erreur("siren_cle")


def _cle_siret(siret: str) -> None:
    if not stdnum_siren.is_valid(siret[:9]):
        raise _erreur("siret_cle_siren")
    if not stdnum_siret.is_valid(siret):
        raise _erreur("siret_cle_la_poste" if siret.startswith(SIREN_LA_POSTE) else "siret_cle")


def siren_normalise(valeur: str) -> str:
    """The nine digits of a SIREN typed the French way ("552 100 554"); "" stays "" (none known)."""
    siren = _chiffres(valeur)
    if not siren:
        return ""
    if not siren.isascii() or not siren.isdigit():
        raise _erreur("siren_caracteres")
    if len(siren) != 9:
        raise _erreur("siren_longueur")
    _cle_siren(siren)
    return siren


def siret_normalise(valeur: str) -> str:
    """The fourteen digits of a SIRET typed the French way ("552 100 554 00013"); required."""
    siret = _chiffres(valeur)
    if not siret:
        raise _erreur("siret_vide")
    if not siret.isascii() or not siret.isdigit():
        raise _erreur("siret_caracteres")
    if len(siret) != 14:
        raise _erreur("siret_longueur")
    _cle_siret(siret)
    return siret


def rna_normalise(valeur: str) -> str:
    """An RNA number, upper-cased and without spaces ("w 751 234 567" → "W751234567"); "" stays ""."""
    rna = _chiffres(valeur).upper()
    if rna and not re.fullmatch(RNA_MOTIF, rna):
        raise _erreur("rna_format")
    return rna


# Validators of the model fields (stored values).


def valider_cle_siren(valeur: str) -> None:
    """The Luhn key of a nine-digit SIREN."""
    if re.fullmatch(r"[0-9]{9}", valeur or ""):
        _cle_siren(valeur)


def valider_cle_siret(valeur: str) -> None:
    """The key of a fourteen-digit SIRET (Luhn, or La Poste's multiple of 5) and of its SIREN."""
    if re.fullmatch(r"[0-9]{14}", valeur or ""):
        _cle_siret(valeur)


def valider_rna(valeur: str) -> None:
    if valeur and not re.fullmatch(RNA_MOTIF, valeur):
        raise _erreur("rna_format")


def siret_format(siret: str) -> str:
    """A SIRET as people read it: « 552 100 554 00013 »."""
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}" if len(siret) == 14 else siret


def siren_format(siren: str) -> str:
    return f"{siren[:3]} {siren[3:6]} {siren[6:]}" if len(siren) == 9 else siren
