"""The payment schedules on the dashboards: the selectors' figures laid out as the tables show and export them.

Nothing is computed here that a selector does not define: the rows are the
selectors' rows, the totals are sums of the cells shown, so a table always adds up.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from financements.exports import DATE, MONTANT, Colonne
from financements.models import Tranche
from financements.selectors import (
    PROGRAMME_FIN,
    AnneeEcheancier,
    LignePrevision,
    prevision_versements,
    prevu_verse_par_annee,
    tranches_en_retard,
    tranches_en_retard_premieres,
    tranches_en_retard_totaux,
)

ZERO = Decimal("0.00")


def convention_url(uid) -> str:
    """The convention's page (conventions/<uid>/)."""
    return f"/conventions/{uid}/"


@dataclass(frozen=True)
class Retard:
    tranche: Tranche  # from tranches_en_retard: with `verse` and `reste`
    jours: int

    @property
    def convention_url(self) -> str:
        return convention_url(self.tranche.convention.uid)


@dataclass(frozen=True)
class Retards:
    lignes: list[Retard]
    total: Decimal  # of every overdue tranche, shown or not
    nombre: int  # every overdue tranche; `lignes` may hold only the oldest

    @property
    def tronque(self) -> bool:
        return self.nombre > len(self.lignes)


# The dashboard shows the oldest overdue tranches, with the number and the amount of all of them;
# the export lists them all. A programme of 10 000 projects has thousands.
RETARDS_AFFICHES = 20


def retards(tranches, *, jour: datetime.date) -> Retards:
    """The overdue tranches with their days late (days since the planned date) and what is left on them in all."""
    lignes = [Retard(tranche=t, jours=(jour - t.date_prevue).days) for t in tranches]
    return Retards(lignes=lignes, total=sum((r.tranche.reste for r in lignes), ZERO), nombre=len(lignes))


def retards_premiers(*, jour: datetime.date, region_code: str | None, limite: int = RETARDS_AFFICHES) -> Retards:
    """The oldest `limite` overdue tranches, with the number and the total of all of them: two queries."""
    premieres = tranches_en_retard_premieres(jour=jour, region_code=region_code, limite=limite)
    nombre, total = tranches_en_retard_totaux(jour=jour, region_code=region_code)
    lignes = [Retard(tranche=t, jours=(jour - t.date_prevue).days) for t in premieres]
    return Retards(lignes=lignes, total=total, nombre=nombre)


@dataclass(frozen=True)
class PrevuVerse:
    annees: list[AnneeEcheancier]
    prevu: Decimal
    verse: Decimal

    @property
    def ecart(self) -> Decimal:
        return self.prevu - self.verse


def prevu_verse(annees: list[AnneeEcheancier]) -> PrevuVerse:
    return PrevuVerse(
        annees=annees,
        prevu=sum((a.prevu for a in annees), ZERO),
        verse=sum((a.verse for a in annees), ZERO),
    )


@dataclass(frozen=True)
class LigneAnnee:
    annee: int
    montants: list[Decimal]  # one per column
    total: Decimal


@dataclass(frozen=True)
class TableauPrevision:
    """One envelope's forecast: a row per year from this one to 2030, a column per region (or none)."""

    enveloppe_code: str
    enveloppe_libelle: str
    regions: list[tuple[str, str]]  # (INSEE code, name); empty on a region's dashboard
    lignes: list[LigneAnnee]
    totaux: list[Decimal]
    total: Decimal


def previsions(
    lignes: list[LignePrevision], *, jour: datetime.date, par_region: bool, libelles: dict[str, str]
) -> list[TableauPrevision]:
    """prevision_versements' rows pivoted: a table per envelope, every year to the programme's end shown.

    `libelles`: the envelopes' labels by code (the dashboard has them already).
    """
    annees = range(jour.year, max(PROGRAMME_FIN, jour.year) + 1)
    par_enveloppe: dict[str, dict[tuple[int, str], Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    regions: dict[str, dict[str, str]] = defaultdict(dict)
    for ligne in lignes:
        colonne = ligne.region_code if par_region else ""
        par_enveloppe[ligne.enveloppe_code][(ligne.annee, colonne)] += ligne.montant
        if par_region:
            regions[ligne.enveloppe_code][ligne.region_code] = ligne.region_nom
    tableaux = []
    for code, montants in par_enveloppe.items():
        colonnes = sorted(regions[code].items(), key=lambda r: r[1]) if par_region else [("", "")]
        rangees = []
        for annee in annees:
            cellules = [montants[(annee, region)] for region, _ in colonnes]
            rangees.append(LigneAnnee(annee=annee, montants=cellules, total=sum(cellules, ZERO)))
        totaux = [sum((r.montants[i] for r in rangees), ZERO) for i in range(len(colonnes))]
        tableaux.append(
            TableauPrevision(
                enveloppe_code=code,
                enveloppe_libelle=libelles.get(code, code),
                regions=colonnes if par_region else [],
                lignes=rangees,
                totaux=totaux,
                total=sum(totaux, ZERO),
            )
        )
    return tableaux


# --- Exports (?export=csv|xlsx&tableau=…): the same rows as the tables -------------------------------------------

COLONNES_RETARDS = [
    Colonne("Projet"), Colonne("Région"), Colonne("Convention"), Colonne("Bénéficiaire"), Colonne("Tranche"),
    Colonne("Date prévue", DATE), Colonne("Jours de retard"), Colonne("Montant de la tranche (€)", MONTANT),
    Colonne("Versé (€)", MONTANT), Colonne("Reste à verser (€)", MONTANT),
]  # fmt: skip

COLONNES_PREVU_VERSE = [
    Colonne("Année"), Colonne("Prévu (€)", MONTANT), Colonne("Versé (€)", MONTANT), Colonne("Écart (€)", MONTANT),
]  # fmt: skip

COLONNES_PREVISION = [Colonne("Année"), Colonne("Enveloppe"), Colonne("Région"), Colonne("Reste à verser (€)", MONTANT)]


def retards_rows(tableau: Retards) -> list[list]:
    return [
        [t.convention.projet.titre, t.convention.projet.region.nom, t.convention.reference,
         str(t.convention.beneficiaire), t.numero, t.date_prevue, r.jours, t.montant, t.verse, t.reste]
        for r in tableau.lignes
        for t in [r.tranche]
    ]  # fmt: skip


def prevu_verse_rows(tableau: PrevuVerse) -> list[list]:
    return [[a.annee, a.prevu, a.verse, a.ecart] for a in tableau.annees]


def prevision_rows(lignes: list[LignePrevision]) -> list[list]:
    return [[p.annee, p.enveloppe_code, p.region_nom, p.montant] for p in lignes]


EXPORTS = ("retards", "prevu-verse", "prevision")


def export_rows(tableau: str, *, jour: datetime.date, region_code: str | None) -> tuple[list[Colonne], list[list]]:
    """The columns and rows of one of the schedules' tables (EXPORTS), as the dashboard shows it."""
    if tableau == "retards":
        return COLONNES_RETARDS, retards_rows(
            retards(tranches_en_retard(jour=jour, region_code=region_code), jour=jour)
        )
    if tableau == "prevu-verse":
        return COLONNES_PREVU_VERSE, prevu_verse_rows(prevu_verse(prevu_verse_par_annee(region_code=region_code)))
    return COLONNES_PREVISION, prevision_rows(prevision_versements(jour=jour, region_code=region_code))
