"""A record the database refuses while loading stops the load with one French message naming it.

The message is read by whoever fixes the fixture: every field and every one of its
messages is named, in the order the model gives them.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from config.chargement import FixtureError, refuse_write_errors

OU = "laureats.json, projet n°1 « biovallee »"


def _refus(erreur: Exception) -> str:
    def write(*args):
        assert args == ("fiche", 1)
        raise erreur

    with pytest.raises(FixtureError) as excinfo:
        refuse_write_errors(OU, write, "fiche", 1)
    assert excinfo.value.__cause__ is erreur
    return str(excinfo.value)


def test_a_refused_record_names_each_field_and_each_of_its_messages():
    erreur = ValidationError({"titre": ["Trop long.", "Déjà pris."], "page": ["Entier attendu."]})

    assert _refus(erreur) == (
        f"{OU}, champ « titre » : Trop long. Déjà pris.; champ « page » : Entier attendu. Rien n'a été enregistré."
    )


def test_a_record_the_database_refuses_names_the_record_and_the_database_reason():
    assert _refus(IntegrityError("clé dupliquée")) == (
        f"{OU} : refusé par la base (clé dupliquée). Rien n'a été enregistré."
    )


def test_a_record_written_without_refusal_passes_its_arguments_through():
    ecrits = []

    refuse_write_errors(OU, lambda *args: ecrits.append(args), "fiche", 1)

    assert ecrits == [("fiche", 1)]
