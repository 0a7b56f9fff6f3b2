"""Template helpers of the portal: DSFR form fields and the visitor's role."""

from django import forms, template

from comptes.roles import role_of

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
