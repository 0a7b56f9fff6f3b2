"""CSV and XLSX exports of the dashboard table and of the ledger, as French spreadsheets read them.

CSV: `;` between cells, decimal comma without thousands separator ("-1500,00" is a number
to French Excel and LibreOffice, "-1 500,00" would be text), UTF-8 with a byte order mark,
dates JJ/MM/AAAA, times in Europe/Paris. XLSX: real numbers, dates and times under
number formats, rates as fractions under a percent format, a bold frozen header with an
auto-filter. Every text cell goes through `tableur.cellule` (no live formula).
"""

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from comptes.affichage import auteur_pour
from config import tableur
from financements.models import Engagement, Versement
from financements.selectors import Tableau

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARIS = ZoneInfo("Europe/Paris")

TEXTE, MONTANT, TAUX, DATE, HORODATAGE = "texte", "montant", "taux", "date", "horodatage"
# Excel format codes: `,` and `.` are the format's own separators, shown by a French
# Excel or LibreOffice as "1 234,56 €" and "17,54 %".
FORMATS = {
    TEXTE: "General",
    MONTANT: '#,##0.00\\ "€"',
    TAUX: "0.00\\ %",
    DATE: "dd/mm/yyyy",
    HORODATAGE: "dd/mm/yyyy hh:mm:ss",
}
# Least width in characters of a column: a number or date in full ("-150 000 000,00 €"); text also
# widens to its longest cell, up to LARGEUR_MAX.
LARGEURS = {TEXTE: 10, MONTANT: 18, TAUX: 10, DATE: 12, HORODATAGE: 20}
LARGEUR_MAX = 60


@dataclass(frozen=True)
class Colonne:
    entete: str
    nature: str = TEXTE


COLONNES_TABLEAU = [
    Colonne("Projet"), Colonne("Région"), Colonne("Enveloppe"), Colonne("Alloué (€)", MONTANT),
    Colonne("Engagé (€)", MONTANT), Colonne("Versé (€)", MONTANT), Colonne("Reste à engager (€)", MONTANT),
    Colonne("Reste à verser (€)", MONTANT), Colonne("Taux d'engagement (%)", TAUX),
    Colonne("Taux de versement (%)", TAUX),
]  # fmt: skip

COLONNES_GRAND_LIVRE = [
    Colonne("Identifiant"), Colonne("Nature"), Colonne("Projet"), Colonne("Région"), Colonne("Enveloppe"),
    Colonne("Engagement lié"), Colonne("Montant (€)", MONTANT), Colonne("Date", DATE), Colonne("Référence"),
    Colonne("Motif"), Colonne("Auteur"), Colonne("Enregistré le (heure de Paris)", HORODATAGE),
]  # fmt: skip


def tableau_rows(tableau: Tableau) -> list[list]:
    """One row per project and envelope, in the order of COLONNES_TABLEAU; rates in % as the dashboard shows them."""
    return [
        [ligne.titre, ligne.region_nom, code, c.alloue, c.engage, c.verse, c.reste_a_engager, c.reste_a_verser,
         c.taux_engagement, c.taux_versement]
        for ligne in tableau.projets
        for code, c in ligne.par_enveloppe.items()
    ]  # fmt: skip


def grand_livre_rows(engagements: Iterable[Engagement], versements: Iterable[Versement], *, lecteur=None) -> list[list]:
    """The ledger's rows; authors as `lecteur` may see them (comptes.affichage), no login without a reader."""
    rows = []
    for e in engagements:
        rows.append([str(e.uid), e.get_nature_display(), e.projet.titre, e.projet.region.nom, e.enveloppe.code,
                     str(e.engagement_origine.uid) if e.engagement_origine else "", e.montant, e.date,
                     e.reference, e.motif, auteur_pour(e.auteur, lecteur) or "", e.cree_le])  # fmt: skip
    for v in versements:
        projet = v.engagement.projet
        rows.append([str(v.uid), v.get_nature_display(), projet.titre, projet.region.nom,
                     v.engagement.enveloppe.code, str(v.engagement.uid), v.montant, v.date, v.reference,
                     v.motif, auteur_pour(v.auteur, lecteur) or "", v.cree_le])  # fmt: skip
    return rows


def csv_cellule(valeur) -> str:
    """A value as French spreadsheets read it from a CSV; formula-like text as text."""
    if valeur is None:
        return ""
    if isinstance(valeur, datetime.datetime):
        return valeur.astimezone(PARIS).strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(valeur, datetime.date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, Decimal):
        return f"{valeur:f}".replace(".", ",")
    return tableur.cellule(valeur)


def xlsx_cellule(valeur, nature: str):
    """A value as an XLSX cell holds it: Paris time without zone (Excel has none), a rate as a fraction."""
    if isinstance(valeur, datetime.datetime):
        return valeur.astimezone(PARIS).replace(tzinfo=None)
    if nature == TAUX and valeur is not None:
        return valeur / 100  # 17.54 (%) is 0.1754 under a percent format: the same figure on screen
    return tableur.cellule(valeur)


def _largeur(colonne: Colonne, valeurs: list) -> int:
    # The header's filter button takes about two characters.
    textes = (len(v) + 1 for v in valeurs if isinstance(v, str))
    return min(max(len(colonne.entete) + 3, LARGEURS[colonne.nature], *textes), LARGEUR_MAX)


def _classeur(colonnes: list[Colonne], rows: list[list], nom: str) -> bytes:
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = nom[:31]
    feuille.append([c.entete for c in colonnes])
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    for row in rows:
        feuille.append([xlsx_cellule(v, c.nature) for v, c in zip(row, colonnes, strict=True)])
    for numero, colonne in enumerate(colonnes, start=1):
        lettre = get_column_letter(numero)
        for (cellule,) in feuille.iter_rows(min_row=2, min_col=numero, max_col=numero):
            cellule.number_format = FORMATS[colonne.nature]
        feuille.column_dimensions[lettre].width = _largeur(colonne, [row[numero - 1] for row in rows])
    feuille.freeze_panes = "A2"
    feuille.auto_filter.ref = f"A1:{get_column_letter(len(colonnes))}{len(rows) + 1}"
    buffer = io.BytesIO()
    classeur.save(buffer)
    return buffer.getvalue()


def response(colonnes: list[Colonne], rows: list[list], nom: str, format_: str) -> HttpResponse:
    if format_ == "xlsx":
        reponse = HttpResponse(_classeur(colonnes, rows, nom), content_type=XLSX)
    else:
        reponse = HttpResponse(content_type="text/csv; charset=utf-8")
        reponse.write("\ufeff")  # lets spreadsheet software detect UTF-8
        writer = csv.writer(reponse, delimiter=";")
        writer.writerow([c.entete for c in colonnes])
        writer.writerows([csv_cellule(v) for v in row] for row in rows)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.{format_}"'
    return reponse
