from django import template

from comptes.affichage import auteur_pour

register = template.Library()


@register.filter
def auteur_pour_lecteur(auteur, lecteur) -> str | None:
    """`{{ e.auteur|auteur_pour_lecteur:user }}`: the author as the page's reader may see them."""
    return auteur_pour(auteur, lecteur)
