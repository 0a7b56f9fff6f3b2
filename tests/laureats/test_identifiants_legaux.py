"""SIREN, SIRET and RNA: what a person types is normalised, and each rule refused names itself."""

import pytest
from django.core.exceptions import ValidationError

from laureats.identifiants_legaux import (
    MESSAGES,
    rna_normalise,
    siren_normalise,
    siret_normalise,
    valider_cle_siren,
    valider_cle_siret,
    valider_rna,
)
from laureats.models import Etablissement, Organisation


def refus(normalise, valeur: str) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        normalise(valeur)
    return exc.value.messages


@pytest.mark.parametrize(
    ("saisie", "siren"),
    [
        ("552100554", "552100554"),
        ("552 100 554", "552100554"),
        ("552.100.554", "552100554"),
        ("552\u00a0100\u00a0554", "552100554"),  # non-breaking spaces, as a word processor copies them
        ("552\u202f100\u202f554 ", "552100554"),  # narrow ones, as the annuaire des entreprises shows them
        ("", ""),
        ("  ", ""),
    ],
)
def test_a_siren_typed_the_french_way_is_stored_as_nine_digits(saisie, siren):
    assert siren_normalise(saisie) == siren


@pytest.mark.parametrize(
    ("saisie", "message"),
    [
        ("55210055", "siren_longueur"),
        ("5521005540", "siren_longueur"),
        ("552100555", "siren_cle"),  # last digit wrong
        ("525100554", "siren_cle"),  # two digits swapped
        ("552-100-554", "siren_caracteres"),
        ("55210055A", "siren_caracteres"),
        ("٥٥٢١٠٠٥٥٤", "siren_caracteres"),  # digits, but not the ones a register uses
    ],
)
def test_a_wrong_siren_is_refused_naming_the_rule(saisie, message):
    assert refus(siren_normalise, saisie) == [MESSAGES[message]]


def test_the_messages_say_which_rule_in_french():
    assert MESSAGES["siren_longueur"] == "Le SIREN compte exactement neuf chiffres."
    assert "Clé de contrôle du SIREN" in MESSAGES["siren_cle"]
    assert "quatorze chiffres" in MESSAGES["siret_longueur"]
    assert "multiple de 5" in MESSAGES["siret_cle_la_poste"]


@pytest.mark.parametrize(
    ("saisie", "siret"),
    [
        ("552 100 554 00013", "55210055400013"),
        ("73282932000074", "73282932000074"),
        ("732.829.320.00074", "73282932000074"),
        ("732\u00a0829\u00a0320\u00a000074", "73282932000074"),
        # La Poste: its head office keeps a Luhn key...
        ("35600000000048", "35600000000048"),
        # ...its other establishments do not: the sum of their digits is a multiple of 5 (3+5+6+1 = 15).
        ("356 000 000 00001", "35600000000001"),
    ],
)
def test_a_valid_siret_is_stored_as_fourteen_digits(saisie, siret):
    assert siret_normalise(saisie) == siret


@pytest.mark.parametrize(
    ("saisie", "message"),
    [
        ("", "siret_vide"),
        (" \u00a0", "siret_vide"),
        ("5521005540001", "siret_longueur"),
        ("552100554000130", "siret_longueur"),
        ("73282932000079", "siret_cle"),  # Luhn key wrong
        ("73282932000047", "siret_cle"),  # two digits swapped
        ("12345678900007", "siret_cle_siren"),  # a Luhn-valid number whose SIREN is not one
        ("35600000000011", "siret_cle_la_poste"),  # La Poste, digits summing to 16
        ("35600000000014", "siret_cle_la_poste"),  # Luhn-valid, but La Poste's rule is the sum (19)
        ("552 100 554 0001A", "siret_caracteres"),
    ],
)
def test_a_wrong_siret_is_refused_naming_the_rule(saisie, message):
    assert refus(siret_normalise, saisie) == [MESSAGES[message]]


@pytest.mark.parametrize(
    ("saisie", "rna"), [("W751234567", "W751234567"), ("w751234567", "W751234567"), (" w 751 234 567 ", "W751234567"),
                        ("", "")],
)  # fmt: skip
def test_an_rna_number_is_upper_cased_without_spaces(saisie, rna):
    assert rna_normalise(saisie) == rna


@pytest.mark.parametrize("saisie", ["W75123456", "W7512345678", "A751234567", "751234567", "WW51234567"])
def test_an_rna_number_is_a_w_and_nine_digits(saisie):
    assert refus(rna_normalise, saisie) == [MESSAGES["rna_format"]]


def test_the_field_validators_check_the_key_and_leave_the_shape_to_the_table_constraints():
    valider_cle_siren("552100554")
    valider_cle_siren("")
    valider_cle_siren("5521")  # the check constraint words this one
    valider_cle_siret("35600000000001")
    valider_rna("")
    with pytest.raises(ValidationError, match="Clé de contrôle du SIREN"):
        valider_cle_siren("552100555")
    with pytest.raises(ValidationError, match="Clé de contrôle du SIRET"):
        valider_cle_siret("73282932000079")
    with pytest.raises(ValidationError, match="W suivi de neuf chiffres"):
        valider_rna("W1")


@pytest.mark.django_db
def test_the_models_refuse_a_wrong_key_on_full_clean():
    organisation = Organisation(nom="Régie", slug="regie-test", siren="552100555", rna="W12")
    with pytest.raises(ValidationError) as exc:
        organisation.full_clean()
    assert exc.value.message_dict["siren"] == [MESSAGES["siren_cle"]]
    assert exc.value.message_dict["rna"] == [MESSAGES["rna_format"]]

    organisation.siren, organisation.rna = "", ""
    organisation.save()
    with pytest.raises(ValidationError) as exc:
        Etablissement(organisation=organisation, siret="73282932000079").full_clean()
    assert exc.value.message_dict["siret"] == [MESSAGES["siret_cle"]]
