"""The spreadsheet import through the API: the XLSX template, the multipart import, refusals as problem details."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from comptes.services import jeton_create
from indicateurs import imports
from indicateurs.models import Mesure
from tests.indicateurs.factories import compte, entetes
from tests.indicateurs.test_import_tableur import BIO, CSV, KWH, ligne, xlsx

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/mesures/import/"
MODELE = "/api/v1/mesures/modele/"


def _post(user, fichier, **kwargs):
    # The test client encodes a dict with a file as multipart/form-data.
    return Client().post(IMPORT, {"fichier": fichier} if fichier is not None else {}, **entetes(user), **kwargs)


def test_a_partner_imports_a_file_and_reads_the_report():
    partenaire = compte("partenaire")

    reponse = _post(partenaire, xlsx([ligne(), ligne(code=KWH, valeur="12 000,5"), ligne(periode="2023", valeur=None)]))

    assert reponse.status_code == 201, reponse.content
    corps = reponse.json()
    assert {k: corps[k] for k in ("fichier", "nb_creees", "nb_corrigees", "nb_lignes_sans_valeur")} == {
        "fichier": "mesures.xlsx", "nb_creees": 2, "nb_corrigees": 0, "nb_lignes_sans_valeur": 1,
    }  # fmt: skip
    assert set(corps["creees"]) == {str(uid) for uid in Mesure.objects.values_list("uid", flat=True)}
    assert corps["corrigees"] == []
    mesure = Mesure.objects.get(indicateur__code=KWH)
    motif = mesure.history.get().history_change_reason
    assert motif.startswith("Mesure importée (fichier « mesures.xlsx ») (API — jeton « ") and len(motif) <= 100


def test_a_refused_file_is_a_400_problem_with_every_error_by_row_and_column_and_nothing_is_written():
    reponse = _post(compte("partenaire"), xlsx([ligne(valeur="101"), ligne(code="inconnu"), ligne(source="")]))

    assert reponse.status_code == 400 and reponse["Content-Type"] == "application/problem+json"
    corps = reponse.json()
    assert corps["detail"] == "Fichier refusé, rien n'est enregistré : 3 erreurs."
    assert corps["errors"] == {
        "lignes.2.valeur": [
            "Ligne 2, colonne « valeur » : Une part en % est comprise entre 0 et 100 : 101 est impossible."
        ],
        "lignes.3.code": ["Ligne 3, colonne « code indicateur » : indicateur inconnu : « inconnu »."],
        "lignes.4.source": [
            "Ligne 4, colonne « source » : la source est obligatoire : d'où vient la valeur (étude, relevé…) ?"
        ],
    }
    assert corps["lignes"][1] == {
        "ligne": 3,
        "colonne": "code indicateur",
        "message": "indicateur inconnu : « inconnu ».",
    }
    assert corps["nb_erreurs"] == 3
    assert Mesure.objects.count() == 0


def test_a_missing_column_is_named_under_row_one():
    entetes_sans_source = [c.entete for c in imports.COLONNES if c.cle != "source"]
    reponse = _post(compte("partenaire"), xlsx([], entetes=entetes_sans_source))

    assert reponse.status_code == 400
    assert reponse.json()["errors"] == {
        "lignes.1.source": ["Ligne 1, colonne « source » : colonne manquante : elle est obligatoire."]
    }


@pytest.mark.parametrize(
    ("fichier", "debut"),
    [
        (SimpleUploadedFile("m.xlsx", CSV), "Le contenu du fichier n'est pas un classeur .xlsx"),
        (
            SimpleUploadedFile("m.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)),
            "Le fichier est au format Excel",
        ),
        (SimpleUploadedFile("m.xlsx", b"PK\x03\x04garbage"), "Le fichier est endommagé"),
    ],
)
def test_a_file_that_is_not_xlsx_is_a_400_on_the_file(fichier, debut):
    reponse = _post(compte("partenaire"), fichier)

    assert reponse.status_code == 400
    (message,) = reponse.json()["errors"]["fichier"]
    assert message.startswith(debut)
    assert reponse.json()["lignes"] == []


def test_no_file_or_an_empty_one_is_a_400_on_the_field():
    partenaire = compte("partenaire")

    sans = _post(partenaire, None)
    vide = _post(partenaire, SimpleUploadedFile("m.xlsx", b""))

    assert sans.json()["errors"] == {"fichier": ["Joignez le fichier .xlsx dans le champ « fichier »."]}
    assert vide.status_code == 400 and list(vide.json()["errors"]) == ["fichier"]


def test_json_is_not_a_file_upload():
    reponse = Client().post(IMPORT, {"fichier": "x"}, content_type="application/json", **entetes(compte("charge")))

    assert reponse.status_code == 415


@pytest.mark.parametrize(("role", "statut"), [("directeur", 403), ("anonyme", 401)])
def test_only_partners_and_officers_import_or_download(role, statut):
    en_tetes = {} if role == "anonyme" else entetes(compte(role))

    assert Client().post(IMPORT, {"fichier": xlsx([ligne()])}, **en_tetes).status_code == statut
    assert Client().get(MODELE, **en_tetes).status_code == statut
    assert Mesure.objects.count() == 0


def test_the_template_is_the_xlsx_of_the_periods_owed():
    reponse = Client().get(MODELE, **entetes(compte("partenaire")))

    assert reponse.status_code == 200 and reponse["Content-Type"] == imports.XLSX
    lignes = list(load_workbook(io.BytesIO(reponse.content))["Mesures"].iter_rows(values_only=True))
    assert lignes[0][1] == "Code indicateur" and BIO in {row[1] for row in lignes[1:]}


def test_an_officer_asks_for_one_project_and_an_unknown_one_is_a_404():
    en_tetes = entetes(compte("charge"))

    un = Client().get(f"{MODELE}?projet=biovallee", **en_tetes)
    inconnu = Client().get(f"{MODELE}?projet=inconnu", **en_tetes)

    lignes = list(load_workbook(io.BytesIO(un.content))["Mesures"].iter_rows(values_only=True))[1:]
    assert lignes and {row[1].split("-")[0] for row in lignes} == {"biovallee"}
    assert inconnu.status_code == 404 and inconnu["Content-Type"] == "application/problem+json"
    mal_forme = Client().get(f"{MODELE}?projet=a/b", **en_tetes)
    assert mal_forme.status_code == 400 and list(mal_forme.json()["errors"]) == ["projet"]


def test_the_template_can_be_asked_for_by_its_media_type():
    reponse = Client().get(MODELE, HTTP_ACCEPT=imports.XLSX, **entetes(compte("partenaire")))

    assert reponse.status_code == 200 and reponse.content.startswith(b"PK")


def test_a_client_asking_for_bytes_gets_the_same_workbook_as_octet_stream():
    reponse = Client().get(MODELE, HTTP_ACCEPT="application/octet-stream", **entetes(compte("partenaire")))

    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/octet-stream"
    assert load_workbook(io.BytesIO(reponse.content))["Mesures"]["B1"].value == "Code indicateur"


def test_a_long_file_name_and_a_long_token_name_still_fit_the_history_reason():
    partenaire = compte("partenaire")
    clair = jeton_create(user=partenaire, nom="j" * 100)[1]
    fichier = xlsx([ligne()], nom=f"{'declarations-' * 10}2024.xlsx")

    reponse = Client().post(IMPORT, {"fichier": fichier}, HTTP_AUTHORIZATION=f"Token {clair}")

    assert reponse.status_code == 201, reponse.content
    motif = Mesure.objects.get().history.get().history_change_reason
    assert motif.startswith("Mesure importée (fichier « declarations-declara…2024.xlsx ») (API — jeton « jjj")
    assert len(motif) == 100
