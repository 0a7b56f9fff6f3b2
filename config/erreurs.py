"""A service's refusals, as every entry point shows them: a 409 in the API, a form error in HTML."""

from django import forms
from django.core.exceptions import ValidationError


class Conflit(Exception):
    """A write the input is well formed for but the stored state refuses (a ceiling reached).

    `champ` names the form field the refusal belongs next to; `details` are the API's
    extra keys beside `detail`, already in their JSON form.
    """

    def __init__(self, message: str, *, champ: str | None = None, details: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.champ = champ
        self.details = details or {}


def erreurs_sur_formulaire(form: forms.BaseForm, exc: ValidationError | Conflit) -> None:
    """Put a service's refusal on the form, next to the field it names, or above the form."""
    if isinstance(exc, Conflit):
        form.add_error(exc.champ if exc.champ in form.fields else None, exc.message)
    elif hasattr(exc, "error_dict"):
        for champ, erreurs in exc.message_dict.items():
            form.add_error(champ if champ in form.fields else None, erreurs)
    else:
        form.add_error(None, exc.messages)
