"""The conventions of a project, for the financing block of its page."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms, template
from django.utils import timezone

from financements.acces import voit_conventions
from financements.models import Convention, Tranche

register = template.Library()


@dataclass
class LigneConvention:
    convention: Convention
    verse: Decimal
    tranches_en_retard: int

    @property
    def reste(self) -> Decimal:
        return self.convention.montant - self.verse


@register.simple_tag
def conventions_du_projet(projet, user) -> list[LigneConvention] | None:
    """The project's conventions with what is paid (the tranches' `verse`) and overdue, or None for a reader
    who may not see them. Two queries, whatever the number of conventions."""
    if not voit_conventions(user, projet):
        return None
    conventions = list(
        Convention.objects.filter(projet=projet).select_related("beneficiaire").order_by("date_signature", "id")
    )
    verse = {c.pk: Decimal("0.00") for c in conventions}
    retard = {c.pk: 0 for c in conventions}
    jour = timezone.localdate()
    if conventions:
        tranches = Tranche.objects.with_verse().filter(convention__projet=projet)
        for convention_id, verse_tranche in tranches.values_list("convention_id", "verse"):
            verse[convention_id] += verse_tranche
        for convention_id in (
            Tranche.objects.en_retard(jour).filter(convention__projet=projet).values_list("convention_id", flat=True)
        ):
            retard[convention_id] += 1
    return [LigneConvention(c, verse[c.pk], retard[c.pk]) for c in conventions]


@register.simple_tag
def saisie(field) -> str:
    """A field of a schedule row in DSFR markup, its error tied to it (the label and error are the row's own)."""
    if isinstance(field.field.widget, forms.CheckboxInput):
        return field.as_widget()
    attrs = {"class": "fr-input"}
    if field.errors:
        attrs.update({"class": "fr-input fr-input--error", "aria-invalid": "true",
                      "aria-describedby": f"{field.id_for_label}-erreur"})  # fmt: skip
    return field.as_widget(attrs=attrs)
