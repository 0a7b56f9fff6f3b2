from decimal import Decimal

from django import template

register = template.Library()
NBSP = "\u202f"  # narrow no-break space, the French thousands separator


def _grouped(value: int) -> str:
    return f"{value:,}".replace(",", NBSP)


@register.filter
def euros(value: Decimal | None) -> str:
    """5700000.00 -> « 5 700 000 € » (cents shown only when there are some)."""
    if value is None:
        return "—"
    value = Decimal(value)
    entier = int(abs(value))
    centimes = int((abs(value) - entier) * 100)
    signe = "-" if value < 0 else ""
    texte = _grouped(entier) + (f",{centimes:02d}" if centimes else "")
    return f"{signe}{texte}\u00a0€"


@register.filter
def millions(value: Decimal | None) -> str:
    """5700000.00 -> « 5,7 M€ », as the press kit writes amounts."""
    if value is None:
        return "—"
    texte = f"{Decimal(value) / Decimal(1_000_000):f}".rstrip("0").rstrip(".")
    entier, _, decimales = texte.partition(".")
    entier = _grouped(int(entier)) if entier.lstrip("-").isdigit() else entier
    return f"{entier}{',' + decimales if decimales else ''}\u00a0M€"


@register.filter
def nombre(value: int | None) -> str:
    return "—" if value is None else _grouped(int(value))
