from decimal import Decimal

from django import forms

from config.saisie import MontantField
from financements.models import Enveloppe

MONTANT = {"max_digits": 15, "decimal_places": 2, "min_value": Decimal("0.01"), "label": "Montant (€)"}


class MouvementForm(forms.Form):
    """A release, a disbursement or a reversal: amount, date, reference, reason."""

    montant = MontantField(**MONTANT)
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label="Référence", max_length=120)
    motif = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}))


class VersementForm(MouvementForm):
    motif = forms.CharField(label="Motif (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EngagementForm(MouvementForm):
    enveloppe = forms.ModelChoiceField(
        label="Enveloppe", queryset=Enveloppe.objects.order_by("plafond"), to_field_name="code", empty_label=None
    )
    justification_depassement = forms.CharField(
        label="Justification d'un dépassement du potentiel d'investissement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = ["enveloppe", "montant", "date", "reference", "motif", "justification_depassement"]
