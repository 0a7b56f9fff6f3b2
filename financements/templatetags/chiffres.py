"""Figures on the page with their exact value beside the French text.

`data-valeur` holds the decimal as computed (euros with cents, rates with two
decimals), so a figure can be checked against the ledger without parsing the
formatted text, whatever rounding the display applies.
"""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from laureats.templatetags.montants import euros
from laureats.templatetags.montants import pourcentage as en_pourcentage

register = template.Library()


@register.simple_tag
def chiffre(*cle: object, valeur: Decimal | None, pourcentage: bool = False) -> str:
    """`{% chiffre "enveloppe" code "engage" valeur=c.engage %}` -> <span data-chiffre="enveloppe/…/engage" …>."""
    if valeur is None:
        texte = "—"
    elif pourcentage:
        texte = en_pourcentage(valeur)
    else:
        texte = euros(valeur)
    return format_html(
        '<span data-chiffre="{}" data-valeur="{}">{}</span>',
        "/".join(str(c) for c in cle),
        "" if valeur is None else str(valeur),
        texte,
    )
