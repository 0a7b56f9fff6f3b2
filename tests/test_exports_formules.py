"""No export hands a spreadsheet a live formula: a partner's `=HYPERLINK(...)` is read back as text.

The partner types it through the real path (a measure POSTed to the API); the officer's
exports are read back as a spreadsheet reads them: openpyxl for XLSX, the csv module for CSV.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from financements.exports import MONTANT, Colonne, response
from financements.models import Enveloppe
from laureats.models import Projet
from tests import grand_livre as services
from tests.indicateurs.factories import compte, entetes

pytestmark = pytest.mark.django_db

FORMULE = '=HYPERLINK("http://exemple.invalid","Source")'
BIOVALLEE = "biovallee-production-energie-locale"  # an indicator of a project Association Biovallée leads


def _csv(reponse) -> list[list[str]]:
    return list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))


def _xlsx(reponse):
    return load_workbook(io.BytesIO(reponse.content)).active


def _cellules_xlsx(reponse, texte: str) -> list:
    return [c for row in _xlsx(reponse).iter_rows() for c in row if isinstance(c.value, str) and texte in c.value]


def test_a_partners_formula_as_a_measure_source_reaches_the_officers_csv_as_text(api_client):
    partenaire, charge = compte("partenaire"), compte("charge")
    envoi = api_client.post(
        "/api/v1/mesures/",
        {"indicateur": BIOVALLEE, "date": "2024-12-31", "valeur": "412.5", "source": FORMULE},
        content_type="application/json",
        **entetes(partenaire),
    )
    assert envoi.status_code == 201

    reponse = Client().get("/api/v1/mesures/", {"format": "csv"}, **entetes(charge))

    assert reponse.status_code == 200
    entete, *lignes = csv.reader(io.StringIO(b"".join(reponse.streaming_content).decode("utf-8"), newline=""))
    (ligne,) = [dict(zip(entete, ligne, strict=True)) for ligne in lignes]
    assert ligne["source"] == "'" + FORMULE
    # The value stays a number the spreadsheet reads as one.
    assert ligne["valeur"] == "412.5000"


@pytest.fixture
def charge_client():
    charge = compte("charge")
    client = Client()
    client.force_login(charge)
    return client, charge


def test_the_ledger_exports_write_a_formula_typed_as_a_motive_as_text(charge_client):
    client, charge = charge_client
    # An equity commitment: its motif is what the officer typed (a subsidy's is worded from its convention).
    services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=Enveloppe.objects.get(code="investissement"),
        montant=Decimal("1000.00"), date=datetime.date(2024, 3, 1), reference="CP-FORMULE", motif=FORMULE, by=charge,
    )  # fmt: skip

    lignes = _csv(client.get("/financements/grand-livre/", {"region": "84", "export": "csv"}))
    (ligne,) = [ligne for ligne in lignes if "CP-FORMULE" in ligne]
    assert ligne[9] == "'" + FORMULE
    assert ligne[6] == "1000,00"

    (cellule,) = _cellules_xlsx(client.get("/financements/grand-livre/", {"export": "xlsx"}), FORMULE)
    assert cellule.data_type != "f"
    assert cellule.value == "'" + FORMULE


def test_the_dashboard_exports_write_a_formula_as_a_project_title_as_text(charge_client):
    client, _ = charge_client
    Projet.objects.filter(slug="biovallee").update(titre=FORMULE)

    lignes = _csv(client.get("/financements/regions/84/", {"export": "csv"}))
    assert list({ligne[0] for ligne in lignes if FORMULE in ligne[0]}) == ["'" + FORMULE]

    cellules = _cellules_xlsx(client.get("/financements/regions/84/", {"export": "xlsx"}), FORMULE)
    assert cellules
    assert all(c.data_type != "f" and c.value == "'" + FORMULE for c in cellules)


def test_negative_amounts_stay_numbers_in_both_files():
    colonnes = [Colonne("Projet"), Colonne("Reste à engager (€)", MONTANT)]
    lignes = [["-Projet", Decimal("-150.00")]]

    assert _csv(response(colonnes, lignes, "financements", "csv"))[1] == ["'-Projet", "-150,00"]
    projet, montant = _xlsx(response(colonnes, lignes, "financements", "xlsx"))[2]
    assert (projet.value, projet.data_type) == ("'-Projet", "s")
    assert (Decimal(str(montant.value)), montant.data_type) == (Decimal("-150.00"), "n")
