from django import forms

from config.saisie import NombreField


class DecisionForm(forms.Form):
    """An officer's decision on a submitted measurement (the service applies it)."""

    decision = forms.ChoiceField(choices=[("valider", "Valider"), ("rejeter", "Rejeter")], label="Décision")
    commentaire = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour un rejet ; le partenaire le lira.",
    )  # fmt: skip


class IndicateurForm(forms.ModelForm):
    """An officer's correction of a structured target; the model's checks give the errors."""

    class Meta:
        from indicateurs.models import Indicateur

        model = Indicateur
        fields = [
            "libelle", "unite", "sens", "valeur_reference", "date_reference", "valeur_cible", "echeance", "frequence",
            "note",
        ]  # fmt: skip
        # Values typed the French way (« 1 250,5 »); Decimal() alone would also take "1e2" or "NaN".
        field_classes = {"valeur_reference": NombreField, "valeur_cible": NombreField}
        widgets = {
            "date_reference": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "echeance": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class ImportForm(forms.Form):
    """A filled measurements template; the import reads and checks its content."""

    fichier = forms.FileField(
        label="Fichier du tableur",
        error_messages={"required": "Choisissez le fichier .xlsx à importer.", "empty": "Le fichier est vide."},
    )
