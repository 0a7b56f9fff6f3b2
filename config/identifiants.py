"""Filters that name a row by its public identifier: `?region=84`, `?projet=<slug>`.

The API contract must not change with the data, so the schema never lists the
rows: it declares the identifier's pattern and names the operation that lists
the values. The server holds to the same pattern: a value that does not match
it is a 400, refused before any lookup.
"""

import re
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

# Django's SlugField rule (validate_slug), written so that ECMA-262 reads it the same.
SLUG = r"^[-a-zA-Z0-9_]+$"


@dataclass(frozen=True)
class Identifiant:
    """What a filter's value is, the pattern it follows and the list operation (route name) that gives the values."""

    nature: str
    motif: str
    liste: str
    message: str = "Identifiant invalide : lettres, chiffres, « - » ou « _ » attendus."

    def description(self) -> str:
        return f"{self.nature}, tel que listé par `GET {reverse(self.liste)}`."

    def valider(self, valeur: str) -> None:
        if not re.fullmatch(self.motif, valeur):
            raise ValidationError(self.message, code="invalid_pattern")


# Region codes of the Code officiel géographique: two digits, three for an overseas collectivity (988).
REGION = Identifiant(
    "Code INSEE d'une région", r"^[0-9]{2,3}$", "api:region-list", "Code INSEE invalide : 2 ou 3 chiffres attendus."
)
THEMATIQUE = Identifiant("Identifiant d'une thématique", SLUG, "api:thematique-list")
TYPE_TERRITOIRE = Identifiant("Identifiant d'un type de territoire", SLUG, "api:type-territoire-list")
PROJET = Identifiant("Identifiant d'un projet", SLUG, "api:projet-list")
ORGANISATION = Identifiant("Identifiant d'une organisation", SLUG, "api:organisation-list")
INDICATEUR = Identifiant("Code d'un indicateur", SLUG, "api:indicateur-list")


class _ChoixParIdentifiant(forms.ModelChoiceField):
    def __init__(self, *args, identifiant: Identifiant, **kwargs):
        super().__init__(*args, **kwargs)
        self.identifiant = identifiant

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.identifiant.valider(str(value))
        self.validate_no_null_characters(value)
        # ModelChoiceField.to_python, the row read by its key alone: the filter compares its pk,
        # and a whole row (an indicator's texts) costs a small answer a fraction of a millisecond.
        cle = self.to_field_name or "pk"
        try:
            return self.queryset.only(cle).get(**{cle: value})
        except (ValueError, TypeError, self.queryset.model.DoesNotExist, ValidationError) as exc:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from exc


class IdentifiantFilter(django_filters.ModelChoiceFilter):
    """A row named by `identifiant`'s field (`to_field_name`); an unknown or malformed value is an error."""

    field_class = _ChoixParIdentifiant

    def __init__(self, *args, identifiant: Identifiant, **kwargs):
        super().__init__(*args, identifiant=identifiant, **kwargs)
        self.identifiant = identifiant


class IdentifiantTexteFilter(django_filters.CharFilter):
    """An identifier compared as text: an unknown value selects nothing, a malformed one is an error."""

    def __init__(self, *args, identifiant: Identifiant, **kwargs):
        super().__init__(*args, validators=[identifiant.valider], **kwargs)
        self.identifiant = identifiant
