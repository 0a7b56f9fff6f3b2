"""The portal's CSV opened as a French user opens it: LibreOffice Calc in fr-FR reads numbers, dates and times.

LibreOffice runs headless with a profile of its own whose locale is fr-FR (the locale a
French desktop gives it), imports the CSV with `;` and UTF-8, and converts it to XLSX;
openpyxl then reads the type LibreOffice gave each cell. The same file under an en-US
profile gives text: the locale is what is tested, not the converter.
"""

import datetime
import io
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from financements.models import Engagement, Enveloppe, Versement
from laureats.models import Projet
from tests import grand_livre as services
from tests.factories import compte

pytestmark = pytest.mark.django_db

PROFIL_FRANCAIS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">
    <value>fr-FR</value></prop></item>
  <item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse">
    <value>fr-FR</value></prop></item>
</oor:items>
"""
# Separator `;` (59), quote `"` (34), UTF-8 (76), from line 1; no language token: the profile's locale applies.
IMPORT_CSV = "CSV:59,34,76,1"


@pytest.fixture
def soffice() -> str:
    chemin = shutil.which("soffice")
    if chemin is None:
        if os.environ.get("CI"):
            # CI installs libreoffice-calc (.ci/run): a missing converter there is a failure, not a skip.
            pytest.fail("soffice introuvable : la CI doit installer le paquet Debian libreoffice-calc.")
        pytest.skip("soffice absent : `apt-get install --no-install-recommends libreoffice-calc`.")
    return chemin


def ouvrir_en_francais(soffice: str, contenu: bytes, dossier: Path):
    """The CSV as LibreOffice Calc in fr-FR reads it: the active sheet of its XLSX conversion."""
    profil = dossier / "profil"
    (profil / "user").mkdir(parents=True)
    (profil / "user" / "registrymodifications.xcu").write_text(PROFIL_FRANCAIS, encoding="utf-8")
    fichier = dossier / "export.csv"
    fichier.write_bytes(contenu)
    subprocess.run(
        [soffice, f"-env:UserInstallation={profil.as_uri()}", "--headless", f"--infilter={IMPORT_CSV}",
         "--convert-to", "xlsx", "--outdir", str(dossier / "converti"), str(fichier)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return load_workbook(io.BytesIO((dossier / "converti" / "export.xlsx").read_bytes())).active


@pytest.fixture
def charge() -> Client:
    client = Client()
    client.force_login(compte("charge"))
    return client


def test_libreoffice_in_french_reads_the_ledgers_amounts_as_numbers_and_its_dates_as_dates(soffice, charge, tmp_path):
    engagement = services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=Enveloppe.objects.get(code="subvention"),
        montant=Decimal("1234567.89"), date=datetime.date(2024, 3, 1), reference="CP-LO-1", motif="Convention",
        by=None,
    )  # fmt: skip
    services.versement_create(
        engagement=engagement, montant=Decimal("0.49"), date=datetime.date(2024, 12, 31), reference="OP-LO-1", by=None
    )

    feuille = ouvrir_en_francais(soffice, charge.get("/financements/grand-livre/", {"export": "csv"}).content, tmp_path)

    entete, *lignes = list(feuille.iter_rows())
    colonnes = {c.value: i for i, c in enumerate(entete)}
    montant, date, enregistre = (
        colonnes["Montant (€)"], colonnes["Date"], colonnes["Enregistré le (heure de Paris)"]
    )  # fmt: skip
    ecritures = {e.reference: e for e in [*Engagement.objects.all(), *Versement.objects.all()]}
    lues = {ligne[colonnes["Référence"]].value: ligne for ligne in lignes}
    assert set(lues) == set(ecritures) == {"CP-LO-1", "OP-LO-1"}
    for reference, ecriture in ecritures.items():
        ligne = lues[reference]
        assert ligne[montant].data_type == "n", f"{reference} : montant lu comme texte ({ligne[montant].value!r})"
        assert Decimal(str(ligne[montant].value)) == ecriture.montant
        assert ligne[date].is_date and ligne[date].value.date() == ecriture.date
        # Paris time, to the second, as the header says.
        paris = ecriture.cree_le.astimezone(ZoneInfo("Europe/Paris")).replace(tzinfo=None, microsecond=0)
        assert ligne[enregistre].is_date and ligne[enregistre].value == paris


def test_libreoffice_in_french_reads_the_dashboards_amounts_and_rates_as_numbers(soffice, charge, tmp_path):
    services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=Enveloppe.objects.get(code="subvention"),
        montant=Decimal("1000000.00"), date=datetime.date(2024, 3, 1), reference="CP-LO-2", motif="Convention",
        by=None,
    )  # fmt: skip

    feuille = ouvrir_en_francais(soffice, charge.get("/financements/regions/84/", {"export": "csv"}).content, tmp_path)

    (biovallee,) = [r for r in feuille.iter_rows(min_row=2) if r[0].value == "BIOVALLÉE" and r[2].value == "subvention"]
    chiffres = biovallee[3:10]
    assert [c.data_type for c in chiffres] == ["n"] * 7
    # Allocated 5 700 000, committed 1 000 000, nothing paid: 17,54 % committed, 0 % paid.
    assert [Decimal(str(c.value)) for c in chiffres] == [
        Decimal("5700000"), Decimal("1000000"), Decimal("0"), Decimal("4700000"), Decimal("1000000"),
        Decimal("17.54"), Decimal("0"),
    ]  # fmt: skip
