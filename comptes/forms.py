from django import forms


class JetonForm(forms.Form):
    """The name of a new API token; the service refuses a name the user already gave."""

    nom = forms.CharField(
        label="Nom du jeton", max_length=100,
        help_text="Pour le reconnaître dans la liste, par exemple « synchronisation nocturne ».",
    )  # fmt: skip
