from decimal import Decimal

from django import forms

from config.saisie import MontantField, NombreField
from financements.models import Convention, Enveloppe
from laureats.models import Etablissement, Organisation


def champ_date() -> forms.DateInput:
    """A browser date picker: it reads and sends ISO dates (2024-05-02), whatever the page's language."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


MONTANT = {"max_digits": 15, "decimal_places": 2, "min_value": Decimal("0.01"), "label": "Montant (€)"}


class MouvementForm(forms.Form):
    """A release, a disbursement or a reversal: amount, date, reference, reason."""

    montant = MontantField(**MONTANT)
    date = forms.DateField(label="Date", widget=champ_date())
    reference = forms.CharField(label="Référence", max_length=120)
    motif = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}))


class VersementForm(MouvementForm):
    motif = forms.CharField(label="Motif (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EngagementForm(MouvementForm):
    # A subsidy is committed by its convention (ConventionForm): this form commits equity only.
    enveloppe = forms.ModelChoiceField(
        label="Enveloppe",
        queryset=Enveloppe.objects.exclude(code=Enveloppe.Code.SUBVENTION).order_by("plafond"),
        to_field_name="code",
        empty_label=None,
        error_messages={
            "invalid_choice": "Une subvention s'engage par une convention avec son bénéficiaire : "
            "enregistrez-la avec « Nouvelle convention », sur la page du projet."
        },
    )
    justification_depassement = forms.CharField(
        label="Justification d'un dépassement du potentiel d'investissement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = ["enveloppe", "montant", "date", "reference", "motif", "justification_depassement"]


# --- Conventions --------------------------------------------------------------------------------------------------

NON_RENSEIGNE = ("", "Non renseigné (à compléter pour publication)")


def _oui_non(valeur: str) -> bool | None:
    return {"oui": True, "non": False}.get(valeur)


class ConventionPublicationForm(forms.Form):
    """What a convention says beside its money, the SCDL's fields among it (convention_update)."""

    objet = forms.CharField(label="Objet de la convention", max_length=256, widget=forms.Textarea(attrs={"rows": 2}))
    etablissement = forms.ModelChoiceField(
        label="Établissement bénéficiaire (SIRET publié)",
        queryset=Etablissement.objects.none(),
        required=False,
        empty_label="Aucun (à compléter pour publication)",
    )
    nature_aide = forms.ChoiceField(
        label="Nature de l'aide", choices=[NON_RENSEIGNE, *Convention.NatureAide.choices], required=False
    )
    conditions_versement = forms.ChoiceField(
        label="Conditions de versement",
        choices=[NON_RENSEIGNE, *Convention.ConditionsVersement.choices],
        required=False,
    )
    notification_ue = forms.TypedChoiceField(
        label="Aide notifiée à la Commission européenne",
        choices=[NON_RENSEIGNE, ("oui", "Oui"), ("non", "Non")],
        coerce=_oui_non,
        empty_value=None,
        required=False,
    )
    regime_aide = forms.CharField(
        label="Régime d'aides", max_length=255, required=False, help_text="Requis si l'aide est notifiée."
    )
    pourcentage_subvention = NombreField(
        label="Part du coût éligible (%)",
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text="Entre 0,01 et 100, par exemple 45,5.",
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The establishments of the organisations that may sign; the service checks the beneficiary's own.
        self.fields["etablissement"].queryset = Etablissement.objects.filter(
            organisation__in=organisations if organisations is not None else []
        ).select_related("organisation")
        self.fields["etablissement"].label_from_instance = lambda e: (
            f"{e.organisation.nom} — SIRET {e.siret}{f' ({e.libelle})' if e.libelle else ''}"
        )


class ConventionForm(ConventionPublicationForm):
    """A signed convention: its beneficiary among the project's participants, its amount, its publication fields."""

    beneficiaire = forms.ModelChoiceField(
        label="Bénéficiaire",
        queryset=Organisation.objects.none(),
        help_text="Le chef de file ou un partenaire enregistré du projet.",
        error_messages={
            "invalid_choice": "Le bénéficiaire d'une convention est le chef de file ou un partenaire du projet."
        },
    )
    date_signature = forms.DateField(label="Date de la convention", widget=champ_date())
    reference = forms.CharField(label="Référence de la décision", max_length=120)
    montant = MontantField(**MONTANT)
    field_order = [
        "beneficiaire", "etablissement", "objet", "date_signature", "reference", "montant", "nature_aide",
        "conditions_versement", "notification_ue", "regime_aide", "pourcentage_subvention",
    ]  # fmt: skip

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, organisations=organisations, **kwargs)
        if organisations is not None:
            self.fields["beneficiaire"].queryset = organisations


class TrancheForm(forms.Form):
    """One row of a schedule; an empty row is left out."""

    numero = forms.IntegerField(required=False, widget=forms.HiddenInput)
    date_prevue = forms.DateField(label="Date prévue", widget=champ_date())
    montant = MontantField(**MONTANT)
    condition = forms.CharField(
        label="Condition de versement", max_length=255, help_text="« À la signature », « Sur justificatifs »…"
    )


class BaseEcheancierFormSet(forms.BaseFormSet):
    def lignes(self) -> list[tuple[int, dict]]:
        """(row index in the formset, values) of the rows kept, in order: an untouched empty row has no values."""
        return [
            (rang, {k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
            for rang, form in enumerate(self.forms)
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


LIGNES_VIDES = 6
EcheancierFormSet = forms.formset_factory(
    TrancheForm, formset=BaseEcheancierFormSet, extra=LIGNES_VIDES, max_num=60, validate_max=True
)
# Re-planning shows the tranches as they are, each with a box to take it out, and two empty rows.
EcheancierModifFormSet = forms.formset_factory(
    TrancheForm, formset=BaseEcheancierFormSet, extra=2, max_num=60, validate_max=True, can_delete=True
)


class EcheancierMotifForm(forms.Form):
    motif = forms.CharField(label="Motif du changement d'échéancier", widget=forms.Textarea(attrs={"rows": 2}))


class AvenantForm(forms.Form):
    variation = NombreField(
        label="Variation du montant (€)",
        max_digits=15,
        decimal_places=2,
        help_text="Positive pour une hausse, négative pour une baisse : « 50 000 » ou « -20 000,50 ».",
    )
    date = forms.DateField(label="Date de l'avenant", widget=champ_date())
    reference = forms.CharField(label="Référence de la décision", max_length=120)
    motif = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}))
    nouvel_echeancier = forms.BooleanField(
        label="Saisir l'échéancier après l'avenant",
        required=False,
        help_text="Sinon, une hausse s'ajoute à la dernière tranche non payée, une baisse se retire des dernières.",
    )
