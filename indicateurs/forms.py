import datetime

from django import forms

from config.saisie import NombreField
from indicateurs.models import Periode


class DecisionForm(forms.Form):
    """An officer's decision on a submitted measurement (the service applies it)."""

    decision = forms.ChoiceField(
        choices=[("valider", "Valider"), ("renvoyer", "Renvoyer pour correction"), ("rejeter", "Rejeter")],
        label="Décision",
    )
    commentaire = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Obligatoire pour un renvoi ou un rejet ; le partenaire le lira.",
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
        help_texts = {
            "frequence": "Les périodes de déclaration sont recalculées à l'enregistrement (jusqu'à l'échéance) ; "
            "chaque valeur déjà saisie est rattachée à la période qui contient sa date.",
        }


class MesureForm(forms.Form):
    """A partner's value for one reporting period: the date lies in the period, not in the future.

    The service then checks the rest (the unit's domain, one value per date) and its
    refusals go next to the fields too.
    """

    valeur = NombreField(label="Valeur")
    source = forms.CharField(
        label="Source", max_length=500, help_text="D'où vient la valeur (étude, relevé, base de données)."
    )
    date = forms.DateField(label="Date de la mesure", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, periode: Periode | None, unite: str, jour: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.periode, self.jour = periode, jour
        self.fields["valeur"].help_text = f"En {unite}, par exemple 1 250,5."
        if periode is not None:
            self.fields[
                "date"
            ].help_text = f"Comprise entre le {periode.debut:%d/%m/%Y} et le {min(periode.fin, jour):%d/%m/%Y}."

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date is None:
            return date
        if date > self.jour:
            raise forms.ValidationError("Une mesure ne peut pas être datée dans le futur.")
        if self.periode is not None and not self.periode.debut <= date <= self.periode.fin:
            raise forms.ValidationError(
                f"La date tombe dans la période déclarée ({self.periode.libelle}) : "
                f"entre le {self.periode.debut:%d/%m/%Y} et le {self.periode.fin:%d/%m/%Y}."
            )
        return date


class ImportForm(forms.Form):
    """A filled measurements template; the import reads and checks its content."""

    fichier = forms.FileField(
        label="Fichier du tableur",
        error_messages={"required": "Choisissez le fichier .xlsx à importer.", "empty": "Le fichier est vide."},
    )
