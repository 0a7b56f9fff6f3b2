"""Formatting of indicator values and the server-side SVG trajectory chart (no script, works offline)."""

import datetime
from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from indicateurs.evaluation import regles
from indicateurs.models import EtatPeriode, Evaluation, Indicateur, Statut
from laureats.templatetags.montants import INSECABLE, en_decimal, nombre_fr, pourcentage

register = template.Library()

BADGES = {
    Statut.ATTEINT: "fr-badge--success",
    Statut.EN_BONNE_VOIE: "fr-badge--info",
    Statut.A_SURVEILLER: "fr-badge--warning",
    Statut.EN_RETARD: "fr-badge--error",
    Statut.NON_RENSEIGNE: "",
}

BADGES_PERIODES = {
    EtatPeriode.A_VENIR: "",
    EtatPeriode.ATTENDUE: "fr-badge--info",
    EtatPeriode.EN_RETARD: "fr-badge--error",
    EtatPeriode.SOUMISE: "fr-badge--new",
    EtatPeriode.A_REVOIR: "fr-badge--warning",
    EtatPeriode.VALIDEE: "fr-badge--success",
}

# Chart geometry, in SVG user units (the chart scales with its container).
LARGEUR, HAUTEUR = 640, 260
MARGE_GAUCHE, MARGE_DROITE, MARGE_HAUT, MARGE_BAS = 90, 20, 20, 36
# The chart's colours (DSFR) are in static/css/portail.css: the Content-Security-Policy
# allows no <style> element in a page.


# Decimals shown per unit, so that a value reads with the precision it means. Counts
# (personnes, emplois, entreprises… and any unit not listed) are whole numbers.
DECIMALES_PAR_UNITE = {
    "%": 1,  # as every rate of the portal (montants.pourcentage)
    "M€": 2,  # as the amounts in M€ (montants.millions)
    "ha": 1,
    "km": 1,
    "tCO2": 1,
    "MWh": 1,
    "GWh": 1,
}


def decimales(unite: str) -> int:
    return DECIMALES_PAR_UNITE.get(unite, 0)


@register.filter
def valeur(value: Decimal | None, unite: str) -> str:
    """Decimal("2074.5832"), "personnes" -> « 2 075 » ; Decimal("12.25"), "%" -> « 12,3 » (half-up)."""
    if value is None:
        return "—"
    return nombre_fr(value, decimales=decimales(unite))


@register.filter
def avec_unite(value: Decimal | None, unite: str) -> str:
    if value is None:
        return "—"
    return f"{valeur(value, unite)}{INSECABLE}{unite}"


@register.filter
def saisie(value: Decimal | None, unite: str) -> str:
    """A value as it was submitted, every decimal: an officer validates what the partner sent."""
    if value is None:
        return "—"
    exposant = en_decimal(value).normalize().as_tuple().exponent
    return f"{nombre_fr(value, decimales=max(-exposant, 0))}{INSECABLE}{unite}"


register.filter("pourcentage", pourcentage)


@register.filter
def get_item(dictionnaire: dict, cle: str):
    """Counts keyed by status in the programme tables."""
    return dictionnaire.get(cle)


SENS_COURTS = {"hausse": "hausse", "baisse": "baisse", "atteindre": "niveau à atteindre"}


@register.filter
def sens_court(sens: str) -> str:
    return SENS_COURTS.get(sens, sens)


@register.filter
def badge_statut(statut: str) -> str:
    return BADGES.get(statut, "")


@register.filter
def badge_etat(etat: str) -> str:
    """The DSFR badge of a reporting period's state."""
    return BADGES_PERIODES.get(etat, "")


@register.filter
def etat_libelle(etat: str) -> str:
    """« En retard » for `en_retard`: the label of a state annotated by PeriodeQuerySet.with_etat."""
    return EtatPeriode(etat).label if etat in EtatPeriode.values else etat


@register.simple_tag
def regles_statuts() -> dict:
    """The tolerances, from the module that applies them, for the HTML legend."""
    return {
        "bonne_voie": int(regles.TOLERANCE_BONNE_VOIE * 100),
        "a_surveiller": int(regles.TOLERANCE_A_SURVEILLER * 100),
        "niveau": int(regles.TOLERANCE_NIVEAU * 100),
        "fraicheur_mois": round(regles.FRAICHEUR_MAX.days / 30.44),
        "debut_programme": regles.DEBUT_PROGRAMME,
    }


def _derniere(indicateur: Indicateur) -> Evaluation | None:
    recentes = getattr(indicateur, "evaluations_recentes", None)
    return recentes[0] if recentes else None


class _Echelle:
    def __init__(self, debut: datetime.date, fin: datetime.date, bas: Decimal, haut: Decimal):
        self.debut, self.jours = debut, max((fin - debut).days, 1)
        marge = (haut - bas) * Decimal("0.1") or abs(haut) * Decimal("0.1") or Decimal(1)
        self.bas, self.haut = bas - marge, haut + marge
        self.largeur = LARGEUR - MARGE_GAUCHE - MARGE_DROITE
        self.hauteur = HAUTEUR - MARGE_HAUT - MARGE_BAS

    def x(self, date: datetime.date) -> str:
        return f"{MARGE_GAUCHE + self.largeur * (date - self.debut).days / self.jours:.1f}"

    def y(self, value: Decimal) -> str:
        part = (value - self.bas) / (self.haut - self.bas)
        return f"{MARGE_HAUT + self.hauteur * (1 - float(part)):.1f}"


@register.simple_tag
def trajectoire_svg(indicateur: Indicateur, ident: str = "") -> SafeString:
    """The indicator's chart: origin → target line, target level, validated measurements, expected value.

    Reads `indicateur.mesures_validees` and `indicateur.evaluations_recentes`
    (prefetched by the selectors): no query.
    """
    ident = ident or indicateur.code
    evaluation = _derniere(indicateur)
    mesures = list(getattr(indicateur, "mesures_validees", []))
    origine = None
    if evaluation is not None and evaluation.valeur_origine is not None:
        origine = (evaluation.date_origine, evaluation.valeur_origine)
    elif indicateur.valeur_reference is not None:
        origine = (indicateur.date_reference or regles.DEBUT_PROGRAMME, indicateur.valeur_reference)

    dates = [regles.DEBUT_PROGRAMME, indicateur.echeance, *(m.date for m in mesures)]
    valeurs = [indicateur.valeur_cible, *(m.valeur for m in mesures)]
    if origine:
        dates.append(origine[0])
        valeurs.append(origine[1])
    if evaluation is not None:
        dates.append(evaluation.date)
        if evaluation.valeur_attendue is not None:
            valeurs.append(evaluation.valeur_attendue)
    echelle = _Echelle(min(dates), max(dates), min(valeurs), max(valeurs))
    x0, x1 = MARGE_GAUCHE, LARGEUR - MARGE_DROITE
    y_bas = HAUTEUR - MARGE_BAS

    parts = [
        format_html('<line class="ti-axe" x1="{}" y1="{}" x2="{}" y2="{}"/>', x0, y_bas, x1, y_bas),
        format_html('<line class="ti-axe" x1="{}" y1="{}" x2="{}" y2="{}"/>', x0, MARGE_HAUT, x0, y_bas),
    ]
    for annee in range(min(dates).year + 1, max(dates).year + 1):
        x = echelle.x(datetime.date(annee, 1, 1))
        parts.append(
            format_html('<line class="ti-graduation" x1="{}" y1="{}" x2="{}" y2="{}"/>', x, y_bas, x, y_bas + 4)
        )
        if annee % 2 == 0 or max(dates).year - min(dates).year < 7:
            parts.append(format_html('<text class="ti-legende-x" x="{}" y="{}">{}</text>', x, y_bas + 18, annee))
    for niveau in (echelle.bas, (echelle.bas + echelle.haut) / 2, echelle.haut):
        y = echelle.y(niveau)
        parts.append(
            format_html('<text class="ti-legende-y" x="{}" y="{}">{}</text>', x0 - 6, y, nombre_fr(niveau, decimales=1))
        )

    y_cible = echelle.y(indicateur.valeur_cible)
    parts.append(format_html('<line class="ti-cible" x1="{}" y1="{}" x2="{}" y2="{}"/>', x0, y_cible, x1, y_cible))
    parts.append(
        format_html(
            '<circle class="ti-point-cible" cx="{}" cy="{}" r="5"><title>Cible : {} au {}</title></circle>',
            echelle.x(indicateur.echeance),
            y_cible,
            avec_unite(indicateur.valeur_cible, indicateur.unite),
            f"{indicateur.echeance:%d/%m/%Y}",
        )  # fmt: skip
    )
    if origine:
        parts.append(
            format_html(
                '<line class="ti-trajectoire" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<circle class="ti-point-origine" cx="{}" cy="{}" r="4"><title>Origine : {} au {}</title></circle>',
                echelle.x(origine[0]),
                echelle.y(origine[1]),
                echelle.x(indicateur.echeance),
                y_cible,
                echelle.x(origine[0]),
                echelle.y(origine[1]),
                avec_unite(origine[1], indicateur.unite),
                f"{origine[0]:%d/%m/%Y}",
            )  # fmt: skip
        )
    if len(mesures) > 1:
        points = " ".join(f"{echelle.x(m.date)},{echelle.y(m.valeur)}" for m in mesures)
        parts.append(format_html('<polyline class="ti-mesures" points="{}"/>', points))
    parts.append(
        format_html_join(
            "",
            '<circle class="ti-point-mesure" cx="{}" cy="{}" r="4"><title>Mesure validée : {} au {}</title></circle>',
            (
                (echelle.x(m.date), echelle.y(m.valeur), avec_unite(m.valeur, indicateur.unite), f"{m.date:%d/%m/%Y}")
                for m in mesures
            ),
        )
    )
    if evaluation is not None and evaluation.valeur_attendue is not None:
        xe, ye = echelle.x(evaluation.date), echelle.y(evaluation.valeur_attendue)
        parts.append(
            format_html(
                '<line class="ti-jour" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<rect class="ti-point-attendu" x="{}" y="{}" width="8" height="8" transform="rotate(45 {} {})">'
                "<title>Valeur attendue au {} : {}</title></rect>",
                xe,
                MARGE_HAUT,
                xe,
                y_bas,
                float(xe) - 4,
                float(ye) - 4,
                xe,
                ye,
                f"{evaluation.date:%d/%m/%Y}",
                avec_unite(evaluation.valeur_attendue, indicateur.unite),
            )  # fmt: skip
        )

    description = _description(indicateur, origine, mesures, evaluation)
    return format_html(
        '<svg class="ti-graphique" viewBox="0 0 {} {}" role="img" aria-labelledby="titre-{} desc-{}" '
        'xmlns="http://www.w3.org/2000/svg"><title id="titre-{}">Trajectoire : {}</title>'
        '<desc id="desc-{}">{}</desc>{}</svg>',
        LARGEUR, HAUTEUR, ident, ident, ident, indicateur.libelle, ident, description,
        mark_safe("".join(parts)),
    )  # fmt: skip


def _description(indicateur, origine, mesures, evaluation) -> str:
    morceaux = []
    if origine:
        morceaux.append(f"Origine {avec_unite(origine[1], indicateur.unite)} au {origine[0]:%d/%m/%Y}")
    else:
        morceaux.append("Pas de référence connue")
    morceaux.append(f"cible {avec_unite(indicateur.valeur_cible, indicateur.unite)} au {indicateur.echeance:%d/%m/%Y}")
    if mesures:
        derniere = mesures[-1]
        morceaux.append(
            f"{len(mesures)} mesure(s) validée(s), la dernière {avec_unite(derniere.valeur, indicateur.unite)} "
            f"au {derniere.date:%d/%m/%Y}"
        )
    else:
        morceaux.append("aucune mesure validée")
    if evaluation is not None:
        morceaux.append(f"statut au {evaluation.date:%d/%m/%Y} : {evaluation.get_statut_display()}")
    return " ; ".join(morceaux) + "."


@register.filter
def ecart_avec_unite(value: Decimal | None, unite: str) -> str:
    """A signed difference in the indicator's unit: « +12,5 emplois », « −3 % » ; « — » when unknown."""
    if value is None:
        return "—"
    signe = "+" if value > 0 else ""
    return f"{signe}{valeur(value, unite)}{INSECABLE}{unite}".replace("-", "−", 1)


@register.filter
def ecart_pourcentage(value: Decimal | None) -> str:
    """A signed relative difference already in %: « +4,2 % » ; « — » when there is no base to compare with."""
    if value is None:
        return "—"
    signe = "+" if value > 0 else ""
    return f"{signe}{pourcentage(value)}".replace("-", "−", 1)
