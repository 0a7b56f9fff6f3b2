"""Template helpers of the portal: DSFR form fields, the visitor's role, identifiers and statuses."""

from django import forms, template

from comptes.roles import role_of
from laureats.identifiants_legaux import siren_format, siret_format

register = template.Library()


@register.filter
def role(user) -> str:
    """The programme role ("charge", "directeur", "partenaire") or ""; superusers are officers."""
    return role_of(user) or ""


@register.inclusion_tag("_champ.html")
def champ(field, classe_groupe: str = "", facultatif: bool = True) -> dict:
    """A form field in DSFR markup: label, hint, error next to the field, tied by aria-describedby."""
    widget = field.field.widget
    if isinstance(widget, forms.Select):
        genre, classe = "select", "fr-select"
    elif isinstance(widget, forms.Textarea):
        genre, classe = "textarea", "fr-input"
    else:
        genre, classe = "input", "fr-input"
    ident = field.auto_id
    decrit_par = []
    if field.help_text:
        decrit_par.append(f"{ident}-aide")
    if field.errors:
        decrit_par.append(f"{ident}-erreur")
        classe += f" {classe}--error"
    attrs = {"class": classe}
    if decrit_par:
        attrs["aria-describedby"] = " ".join(decrit_par)
    if field.errors:
        attrs["aria-invalid"] = "true"
    groupe = "fr-select-group" if genre == "select" else "fr-input-group"
    return {
        "field": field,
        "ident": ident,
        "widget": field.as_widget(attrs=attrs),
        "groupe": groupe,
        "classe_groupe": classe_groupe,
        # Filters are all optional: saying so on each would be noise.
        "marquer_facultatif": facultatif and not field.field.required,
    }


@register.filter
def siren(valeur: str) -> str:
    """A SIREN as people read it: « 552 100 554 »."""
    return siren_format(valeur or "")


@register.filter
def siret(valeur: str) -> str:
    """A SIRET as people read it: « 552 100 554 00013 »."""
    return siret_format(valeur or "")


# The DSFR badge of each status of a project's life cycle.
BADGES_STATUT = {
    "en_conventionnement": "fr-badge--info",
    "en_cours": "fr-badge--success",
    "cloture": "fr-badge--new",
    "abandonne": "fr-badge--error",
}


@register.inclusion_tag("laureats/_badge_statut.html")
def badge_statut(projet) -> dict:
    return {"classe": BADGES_STATUT.get(projet.statut, ""), "libelle": projet.get_statut_display()}
