"""Server-side SVG charts: no script, no CDN, readable without JavaScript."""

from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join

from laureats.templatetags.montants import millions

register = template.Library()
LARGEUR, HAUTEUR, MARGE = 720, 260, 48
COULEURS = ["#000091", "#18753c", "#b34000", "#6a6af4"]


@register.simple_tag
def courbes_svg(titre: str, series: list[dict]) -> str:
    """Cumulative curves; each series is {"libelle": str, "points": [(label, Decimal), ...]}."""
    labels = sorted({label for s in series for label, _ in s["points"]})
    maximum = max([v for s in series for _, v in s["points"]] + [Decimal("1")])
    if not labels:
        return format_html('<p class="fr-text--sm">{}</p>', "Aucune écriture pour l'instant.")

    def x(label) -> float:
        step = (LARGEUR - 2 * MARGE) / max(len(labels) - 1, 1)
        return MARGE + labels.index(label) * step

    def y(value: Decimal) -> float:
        return HAUTEUR - MARGE - float(value / maximum) * (HAUTEUR - 2 * MARGE)

    lignes = format_html_join(
        "",
        '<polyline fill="none" stroke="{}" stroke-width="3" points="{}"><title>{}</title></polyline>',
        (
            (COULEURS[i % len(COULEURS)], " ".join(f"{x(lb):.1f},{y(v):.1f}" for lb, v in s["points"]), s["libelle"])
            for i, s in enumerate(series)
        ),
    )
    legende = format_html_join(
        "",
        '<text x="{}" y="16" fill="{}" font-size="13">■ {}</text>',
        ((MARGE + i * 220, COULEURS[i % len(COULEURS)], s["libelle"]) for i, s in enumerate(series)),
    )
    axes = format_html(
        '<line x1="{m}" y1="{b}" x2="{r}" y2="{b}" stroke="#666"/>'
        '<text x="{m}" y="{t}" font-size="12">{debut}</text><text x="{r}" y="{t}" font-size="12" '
        'text-anchor="end">{fin}</text><text x="4" y="{h}" font-size="12">{maxi}</text>',
        m=MARGE, b=HAUTEUR - MARGE, r=LARGEUR - MARGE, t=HAUTEUR - MARGE + 18,
        debut=labels[0], fin=labels[-1], h=MARGE - 6, maxi=millions(maximum),
    )  # fmt: skip
    return format_html(
        '<svg role="img" aria-labelledby="graphique-titre" viewBox="0 0 {} {}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg"><title id="graphique-titre">{}</title>{}{}{}</svg>',
        LARGEUR, HAUTEUR, titre, legende, axes, lignes,
    )  # fmt: skip
