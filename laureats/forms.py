"""Forms of the officers' edit pages. They parse input; the services validate and write."""

from django import forms

from config.saisie import MontantField
from laureats.models import Organisation, Partenariat, Projet
from laureats.services import PROJET_CHAMPS_MODIFIABLES

# Every amount of the portal is read by the one field of config.saisie.
EurosField = MontantField


class ProjetForm(forms.ModelForm):
    """The fiche's fields, plus its two allocations (planned subsidy, investment potential)."""

    subvention = EurosField(
        label="Subvention prévue (€)",
        help_text="Plafond des engagements de subvention du projet ; jamais inférieur à ce qui est déjà engagé.",
    )
    investissement = EurosField(label="Potentiel d'investissement (€)")

    class Meta:
        model = Projet
        fields = PROJET_CHAMPS_MODIFIABLES
        field_classes = {"budget_previsionnel": EurosField}
        widgets = {
            "ambition": forms.Textarea(attrs={"rows": 8}),
            "date_debut": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_fin": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "statut": "Où en est le projet : la convention se prépare, il se réalise, il est clôturé ou abandonné.",
            "date_debut": "Début de la réalisation, si elle a commencé.",
            "date_fin": "Fin prévue ou constatée ; jamais avant le début.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form posted without the status (an older page, a script) keeps the project's.
        self.fields["statut"].required = False

    def clean_statut(self):
        return self.cleaned_data.get("statut") or self.instance.statut

    def _post_clean(self):
        # No model validation here: projet_update() checks the whole record and
        # explains each refusal next to its field.
        pass


class PartenariatAjoutForm(forms.Form):
    """Add a partner: an existing organisation, or a new one created on the fly."""

    organisation = forms.ModelChoiceField(
        label="Organisation existante",
        queryset=Organisation.objects.order_by("nom").only("pk", "nom"),
        required=False,
        empty_label="— Choisir —",
    )
    nom = forms.CharField(label="Ou nouvelle organisation : nom", max_length=255, required=False)
    siren = forms.CharField(
        label="SIREN de la nouvelle organisation", max_length=11, required=False, help_text="Neuf chiffres, facultatif."
    )
    nature = forms.ChoiceField(
        label="Nature de la nouvelle organisation",
        choices=Organisation.Nature.choices,
        initial=Organisation.Nature.AUTRE,
    )
    role = forms.ChoiceField(label="Rôle dans le projet", choices=Partenariat.Role.choices, initial="partenaire")

    def clean(self):
        data = super().clean()
        if data.get("organisation") and data.get("nom"):
            self.add_error("nom", "Choisissez une organisation existante ou nommez-en une nouvelle, pas les deux.")
        elif not data.get("organisation") and not data.get("nom"):
            self.add_error("organisation", "Choisissez une organisation ou nommez-en une nouvelle.")
        return data


class OrganisationIdentifiantsForm(forms.Form):
    """SIREN and RNA number as typed; laureats.services normalises and validates them."""

    siren = forms.CharField(
        label="SIREN",
        max_length=20,
        required=False,
        help_text="Neuf chiffres, espaces permis : « 552 100 554 ». Vide si l'organisation n'en a pas.",
    )
    rna = forms.CharField(
        label="Numéro RNA",
        max_length=20,
        required=False,
        help_text="Pour une association : W suivi de neuf chiffres, « W751234567 ». Vide sinon.",
    )


class EtablissementForm(forms.Form):
    siret = forms.CharField(
        label="SIRET",
        max_length=30,
        help_text="Quatorze chiffres, espaces permis : « 552 100 554 00013 ». Les neuf premiers sont le SIREN.",
    )
    libelle = forms.CharField(label="Libellé", max_length=255, required=False, help_text="Siège, site, adresse…")


class PartenariatRoleForm(forms.Form):
    role = forms.ChoiceField(label="Rôle", choices=Partenariat.Role.choices)


class TexteForm(forms.Form):
    texte = forms.CharField(label="Texte", widget=forms.Textarea(attrs={"rows": 3}))


class EncadrementObjectifsForm(forms.Form):
    """The fiche's prose before and after its objectives list, when it has some."""

    objectifs_introduction = forms.CharField(
        label="Introduction de la liste",
        required=False,
        help_text="Texte de la fiche qui précède les objectifs, mot pour mot ; vide si la fiche n'en a pas.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    objectifs_conclusion = forms.CharField(
        label="Conclusion de la liste",
        required=False,
        help_text="Texte de la fiche qui suit les objectifs, mot pour mot ; vide si la fiche n'en a pas.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
