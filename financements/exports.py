"""CSV and XLSX exports of the dashboard table and of the ledger."""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook

from comptes.affichage import auteur_pour
from config import tableur
from financements.models import Engagement, Versement
from financements.selectors import Tableau

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tableau_rows(tableau: Tableau) -> list[list]:
    entete = ["Projet", "Région", "Enveloppe", "Alloué (€)", "Engagé (€)", "Versé (€)", "Reste à engager (€)",
              "Reste à verser (€)", "Taux d'engagement (%)", "Taux de versement (%)"]  # fmt: skip
    rows = [entete]
    for ligne in tableau.projets:
        for code, c in ligne.par_enveloppe.items():
            rows.append([ligne.titre, ligne.region_nom, code, c.alloue, c.engage, c.verse, c.reste_a_engager,
                         c.reste_a_verser, c.taux_engagement, c.taux_versement])  # fmt: skip
    return rows


def grand_livre_rows(engagements: Iterable[Engagement], versements: Iterable[Versement], *, lecteur=None) -> list[list]:
    """The ledger's rows; authors as `lecteur` may see them (comptes.affichage), no login without a reader."""
    rows = [["Identifiant", "Nature", "Projet", "Région", "Enveloppe", "Engagement lié", "Montant (€)", "Date",
             "Référence", "Motif", "Auteur", "Enregistré le"]]  # fmt: skip
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


def response(rows: list[list], nom: str, format_: str) -> HttpResponse:
    # Text a spreadsheet would run as a formula (a motive typed "=HYPERLINK(...)") is written as text.
    rows = [[tableur.cellule(v) for v in row] for row in rows]
    if format_ == "xlsx":
        classeur = Workbook()
        feuille = classeur.active
        feuille.title = nom[:31]
        for row in rows:
            # Excel has no time zones: datetimes are written in UTC, without tzinfo.
            feuille.append([v.replace(tzinfo=None) if hasattr(v, "tzinfo") and v.tzinfo else v for v in row])
            for cellule, valeur in zip(feuille[feuille.max_row], row, strict=True):
                if isinstance(valeur, Decimal):
                    # Amounts and rates keep their two decimals on screen as in the file.
                    cellule.number_format = "#,##0.00"
        buffer = io.BytesIO()
        classeur.save(buffer)
        reponse = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        reponse = HttpResponse(content_type="text/csv; charset=utf-8")
        reponse.write("\ufeff")  # lets spreadsheet software detect UTF-8
        csv.writer(reponse, delimiter=";").writerows(rows)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.{format_}"'
    return reponse
