"""Figures in French, with the precision they mean: euros to the cent, M€ to two decimals, % to one.

Rounding is half-up (half away from zero), as French accounting rounds; a figure
that rounds to zero is written without a sign.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()
NBSP = "\u202f"  # narrow no-break space, the French thousands separator
INSECABLE = "\u00a0"  # no-break space between a figure and its unit (€, M€, %)
UN_MILLION = Decimal(1_000_000)


def _grouped(value: int) -> str:
    return f"{value:,}".replace(",", NBSP)


def en_decimal(value) -> Decimal:
    # Through str(): a float's binary expansion (0.29 is 0.28999…) must not cost a cent.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def nombre_fr(value, *, decimales: int, zeros: bool = False) -> str:
    """`value` rounded half-up to `decimales` decimals, in French: « -1 234,5 ».

    Trailing zeros are dropped (« 5,7 », « 150 ») unless `zeros` keeps them (« 0,10 »).
    """
    arrondi = en_decimal(value).quantize(Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP)
    entier, _, fraction = f"{abs(arrondi):f}".partition(".")
    if not zeros:
        fraction = fraction.rstrip("0")
    signe = "-" if arrondi < 0 else ""  # Decimal("-0.00") < 0 is false: no « -0 »
    return f"{signe}{_grouped(int(entier))}{',' + fraction if fraction else ''}"


def en_millions(montant) -> Decimal:
    """Euros in M€, rounded half-up to two decimals: 11412345 -> 11.41."""
    return (en_decimal(montant) / UN_MILLION).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@register.filter
def euros(value: Decimal | None) -> str:
    """5700000.00 -> « 5 700 000 € », 0.1 -> « 0,10 € » (cents shown only when there are some)."""
    if value is None:
        return "—"
    return f"{nombre_fr(value, decimales=2, zeros=True).removesuffix(',00')}{INSECABLE}€"


@register.filter
def millions(value: Decimal | None) -> str:
    """11412345 -> « 11,41 M€ », 5700000.00 -> « 5,7 M€ », as the press kit writes amounts."""
    if value is None:
        return "—"
    return f"{nombre_fr(en_millions(value), decimales=2)}{INSECABLE}M€"


@register.filter
def pourcentage(value: Decimal | None) -> str:
    """A rate already in % (12.25) -> « 12,3 % »."""
    if value is None:
        return "—"
    return f"{nombre_fr(value, decimales=1)}{INSECABLE}%"


@register.filter
def nombre(value: int | None) -> str:
    return "—" if value is None else nombre_fr(value, decimales=0)
