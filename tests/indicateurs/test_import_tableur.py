"""Measurements by spreadsheet: the template of what is owed, and its import, all or nothing, in HTML.

Every file is a real XLSX written here with openpyxl (or bytes that pretend to be one).
"""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from comptes.selectors import projets_ids_of
from indicateurs import imports, services
from indicateurs.models import EtatPeriode, Indicateur, Mesure, Periode
from laureats.models import Projet
from tests.indicateurs.factories import MesureFactory, compte

pytestmark = pytest.mark.django_db

BIO = "biovallee-part-agriculture-bio"  # a share in %, of Association Biovallée's project
KWH = "biovallee-production-energie-locale"
ENTETES = [c.entete for c in imports.COLONNES]


def xlsx(lignes: list[list], entetes=None, nom: str = "mesures.xlsx", titre: str = "Mesures") -> SimpleUploadedFile:
    """A workbook of `lignes` under the template's headers (or `entetes`), as an uploaded file."""
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = titre
    feuille.append(ENTETES if entetes is None else entetes)
    for ligne in lignes:
        feuille.append(ligne)
    tampon = io.BytesIO()
    classeur.save(tampon)
    return SimpleUploadedFile(nom, tampon.getvalue(), content_type=imports.XLSX)


def ligne(code=BIO, periode="2024", valeur="42,5", date=None, source="Recensement agricole", debut=None) -> list:
    """A row of the template's columns; the informational ones left empty."""
    cellules = dict.fromkeys(c.cle for c in imports.COLONNES)
    cellules.update(code=code, periode=periode, valeur=valeur, date=date, source=source, debut=debut)
    return [cellules[c.cle] for c in imports.COLONNES]


def projet_etranger(partenaire) -> Projet:
    return Projet.objects.exclude(pk__in=projets_ids_of(partenaire)).filter(impacts__indicateurs__isnull=False)[0]


def indicateur_etranger(partenaire) -> Indicateur:
    return Indicateur.objects.filter(impact__projet=projet_etranger(partenaire)).order_by("code")[0]


def refus(fichier, by) -> imports.ImportRefuse:
    avant = Mesure.objects.count()
    with pytest.raises(imports.ImportRefuse) as exc:
        imports.mesures_import(fichier=fichier, by=by)
    assert Mesure.objects.count() == avant
    return exc.value


def messages(exc: imports.ImportRefuse) -> list[str]:
    return [str(e) for e in exc.erreurs]


# --- The template -------------------------------------------------------------------------------


def _lire(contenu: bytes) -> tuple[list[tuple], object]:
    classeur = load_workbook(io.BytesIO(contenu))
    feuille = classeur["Mesures"]
    return list(feuille.iter_rows(values_only=True)), classeur


def test_a_partners_template_lists_the_periods_its_organisation_owes_with_the_last_validated_value():
    partenaire = compte("partenaire")
    jour = timezone.localdate()
    indicateur = Indicateur.objects.get(code=KWH)
    MesureFactory(indicateur=indicateur, date=datetime.date(2023, 6, 30), valeur=Decimal("1250.5"), validee=True)
    lignes, classeur = _lire(imports.modele_xlsx(by=partenaire))

    assert lignes[0] == tuple(ENTETES)
    attendues = Periode.objects.dues(jour).filter(indicateur__impact__projet__in=projets_ids_of(partenaire))
    assert len(lignes) - 1 == attendues.count() > 0
    assert {row[1] for row in lignes[1:]} == set(attendues.values_list("indicateur__code", flat=True))
    kwh_2024 = next(row for row in lignes[1:] if row[1] == KWH and row[4] == "2024")
    assert kwh_2024[5:8] == (
        datetime.datetime(2024, 1, 1), datetime.datetime(2024, 12, 31), datetime.datetime(2025, 3, 1),
    )  # fmt: skip
    assert kwh_2024[8] == "En retard"
    assert kwh_2024[9:11] == (1250.5, datetime.datetime(2023, 6, 30))
    assert kwh_2024[11:] == (None, None, None, None)
    # The 2023 period holds the validated value: it is not owed any more.
    assert not any(row[1] == KWH and row[4] == "2023" for row in lignes[1:])
    feuille = classeur["Mesures"]
    assert feuille.protection.sheet and feuille["A1"].font.bold and feuille.freeze_panes == "B2"
    assert feuille["L2"].protection.locked is False and feuille["B2"].protection.locked is True
    assert feuille.data_validations.dataValidation, "des indications de saisie sur les cellules à remplir"
    assert "Mode d'emploi" in classeur.sheetnames
    assert "2 Mo" in " ".join(str(c.value) for c in classeur["Mode d'emploi"]["A"])


def test_an_officers_template_covers_every_project_or_the_one_asked_for():
    charge = compte("charge")
    jour = timezone.localdate()
    tous, _ = _lire(imports.modele_xlsx(by=charge))
    projet = Projet.objects.get(slug="biovallee")
    un, _ = _lire(imports.modele_xlsx(by=charge, projet=projet))

    assert len(tous) - 1 == Periode.objects.dues(jour).count()
    assert len(un) - 1 == Periode.objects.dues(jour).filter(indicateur__impact__projet=projet).count()
    assert {row[0] for row in un[1:]} == {projet.titre}


def test_a_filled_template_comes_back_in_and_only_the_filled_rows_are_imported():
    partenaire = compte("partenaire")
    lignes, classeur = _lire(imports.modele_xlsx(by=partenaire))
    feuille = classeur["Mesures"]
    numero = next(i for i, row in enumerate(lignes, start=1) if row[1] == BIO and row[4] == "2024")
    feuille.cell(numero, 12, 31.5)
    feuille.cell(numero, 14, "Agence Bio")
    tampon = io.BytesIO()
    classeur.save(tampon)

    rapport = imports.mesures_import(fichier=SimpleUploadedFile("rempli.xlsx", tampon.getvalue()), by=partenaire)

    (mesure,) = rapport.creees
    assert (mesure.indicateur.code, mesure.valeur, mesure.date, mesure.periode.libelle) == (
        BIO, Decimal("31.5"), datetime.date(2024, 12, 31), "2024",
    )  # fmt: skip
    assert rapport.lignes_sans_valeur == len(lignes) - 2


# --- Importing ---------------------------------------------------------------------------------


def test_rows_become_submitted_measurements_in_their_periods_with_the_file_in_their_history():
    partenaire = compte("partenaire")
    fichier = xlsx(
        [
            ligne(valeur="1 250,5", code=KWH, periode="2024", date=datetime.datetime(2024, 6, 30)),
            ligne(valeur=85.5, periode="2023"),
            ligne(valeur="12", periode="", debut=datetime.datetime(2022, 1, 1), date="31/12/2022"),
            ligne(valeur=None, periode="2021"),
        ],
        nom="declarations-2024.xlsx",
    )

    rapport = imports.mesures_import(fichier=fichier, by=partenaire)

    assert len(rapport.creees) == 3 and rapport.corrigees == [] and rapport.lignes_sans_valeur == 1
    lues = {(m.indicateur.code, m.periode.libelle): m for m in Mesure.objects.filter(auteur=partenaire)}
    assert set(lues) == {(KWH, "2024"), (BIO, "2023"), (BIO, "2022")}
    assert (lues[KWH, "2024"].valeur, lues[KWH, "2024"].date) == (Decimal("1250.5"), datetime.date(2024, 6, 30))
    assert (lues[BIO, "2023"].valeur, lues[BIO, "2023"].date) == (Decimal("85.5"), datetime.date(2023, 12, 31))
    assert lues[BIO, "2022"].date == datetime.date(2022, 12, 31)
    assert {m.statut for m in lues.values()} == {Mesure.Statut.SOUMISE}
    assert {m.source for m in lues.values()} == {"Recensement agricole"}
    motifs = {m.history.get().history_change_reason for m in lues.values()}
    assert motifs == {"Mesure importée (fichier « declarations-2024.xlsx »)"}
    assert {m.history.get().history_user for m in lues.values()} == {partenaire}


def test_a_period_sent_back_for_correction_is_corrected_not_declared_twice():
    partenaire = compte("partenaire")
    indicateur = Indicateur.objects.get(code=BIO)
    mesure = services.mesure_submit(
        indicateur=indicateur, date=datetime.date(2024, 12, 31), valeur=Decimal("30"), source="Estimation",
        by=partenaire,
    )  # fmt: skip
    services.mesure_return(mesure=mesure, by=compte("charge"), commentaire="La part 2024 est de 31,5 %.")
    lignes, _ = _lire(imports.modele_xlsx(by=partenaire))
    a_revoir = next(row for row in lignes[1:] if row[1] == BIO and row[4] == "2024")
    assert (a_revoir[8], a_revoir[14]) == ("À revoir", "La part 2024 est de 31,5 %.")

    rapport = imports.mesures_import(fichier=xlsx([ligne(valeur="31,5", source="Agence Bio")]), by=partenaire)

    assert rapport.creees == [] and [m.pk for m in rapport.corrigees] == [mesure.pk]
    mesure.refresh_from_db()
    assert (mesure.statut, mesure.valeur, mesure.source) == (Mesure.Statut.SOUMISE, Decimal("31.5"), "Agence Bio")
    assert mesure.history.order_by("-history_id")[0].history_change_reason == (
        "Mesure corrigée par import (fichier « mesures.xlsx »)"
    )
    assert Mesure.objects.filter(indicateur=indicateur).count() == 1


def test_an_officer_imports_for_any_project():
    charge = compte("charge")
    partenaire = compte("partenaire")
    etranger = indicateur_etranger(partenaire)

    rapport = imports.mesures_import(fichier=xlsx([ligne(code=etranger.code, valeur="1")]), by=charge)

    assert [m.indicateur for m in rapport.creees] == [etranger]


def test_a_value_in_a_percent_formatted_cell_is_read_as_shown():
    partenaire = compte("partenaire")
    fichier = xlsx([ligne(valeur=0.855)])
    classeur = load_workbook(io.BytesIO(fichier.read()))
    classeur["Mesures"]["L2"].number_format = "0.0%"
    tampon = io.BytesIO()
    classeur.save(tampon)

    rapport = imports.mesures_import(fichier=SimpleUploadedFile("p.xlsx", tampon.getvalue()), by=partenaire)

    assert rapport.creees[0].valeur == Decimal("85.5")


# --- Refusals: the message names the row and the column, nothing is written -------------------


@pytest.mark.parametrize(
    ("lignes", "ligne_colonne", "attendu"),
    [
        ([ligne(valeur="101")], (3, "valeur"), "Une part en % est comprise entre 0 et 100 : 101 est impossible."),
        ([ligne(valeur="-3", code=KWH)], (3, "valeur"), "Une valeur en kWh n'est jamais négative"),
        ([ligne(valeur="1e3")], (3, "valeur"), "saisissez un nombre, par exemple 1\u202f250,5"),
        ([ligne(valeur="NaN")], (3, "valeur"), "saisissez un nombre"),
        ([ligne(valeur=1 / 3)], (3, "valeur"), "0.3333333333333333 a trop de décimales"),
        ([ligne(valeur=True)], (3, "valeur"), "un nombre est attendu"),
        ([ligne(code="inconnu")], (3, "code indicateur"), "indicateur inconnu : « inconnu »."),
        ([ligne(code="")], (3, "code indicateur"), "le code de l'indicateur manque."),
        (
            [ligne(periode="2019")], (3, "période"),
            "l'indicateur n'a pas de période « 2019 » ; ses périodes vont de « 2020 » à « 2030 ».",
        ),
        (
            [ligne(periode="", debut="15/03/2024")], (3, "période"),
            "aucune période de l'indicateur ne commence le 15/03/2024.",
        ),
        (
            [ligne(periode="2023", debut=datetime.datetime(2024, 1, 1))], (3, "période"),
            "la période « 2023 » ne commence pas le 01/01/2024",
        ),
        ([ligne(periode="")], (3, "période"), "la période est vide"),
        ([ligne(date="31/06/2024")], (3, "date de la mesure"), "« 31/06/2024 » n'est pas une date du calendrier."),
        ([ligne(date="demain")], (3, "date de la mesure"), "« demain » n'est pas une date"),
        (
            [ligne(date="2023-12-31")], (3, "date de la mesure"),
            "le 31/12/2023 n'est pas dans la période « 2024 » (du 01/01/2024 au 31/12/2024).",
        ),
        ([ligne(source="")], (3, "source"), "la source est obligatoire"),
        ([ligne(source="x" * 501)], (3, "source"), "au plus 500 caractères (501 ici)."),
        (
            [ligne(), ligne(valeur="43")], (4, "période"),
            "la ligne 3 déclare déjà la période « 2024 » de cet indicateur",
        ),
    ],
)  # fmt: skip
def test_a_bad_row_is_refused_with_its_row_and_column_and_nothing_is_written(lignes, ligne_colonne, attendu):
    # A good row first: it is not written either.
    exc = refus(xlsx([ligne(code=KWH, valeur="5"), *lignes]), compte("partenaire"))

    numero, colonne = ligne_colonne
    assert [(e.ligne, e.colonne) for e in exc.erreurs] == [ligne_colonne]
    assert messages(exc)[0].startswith(f"Ligne {numero}, colonne « {colonne} » : {attendu}"), messages(exc)


def test_a_file_without_any_value_is_refused():
    exc = refus(xlsx([ligne(valeur=None), ligne(code=None, valeur=None, source=None)]), compte("partenaire"))

    assert messages(exc) == ["Aucune valeur à importer : remplissez la colonne « Valeur » d'au moins une ligne."]


def test_a_date_in_the_future_is_refused():
    demain = timezone.localdate() + datetime.timedelta(days=1)
    exc = refus(xlsx([ligne(periode=str(demain.year), date=demain.strftime("%d/%m/%Y"))]), compte("partenaire"))

    assert messages(exc) == [
        "Ligne 2, colonne « date de la mesure » : une mesure ne peut pas être datée dans le futur."
    ]


def test_an_indicator_of_another_organisation_is_refused_naming_its_project():
    partenaire = compte("partenaire")
    etranger = indicateur_etranger(partenaire)

    exc = refus(xlsx([ligne(code=KWH, valeur="5"), ligne(code=etranger.code, valeur="1")]), partenaire)

    assert messages(exc) == [
        f"Ligne 3, colonne « code indicateur » : votre organisation ne participe pas au projet "
        f"« {etranger.impact.projet.titre} » : vous ne pouvez pas déclarer de mesure pour ses indicateurs."
    ]


@pytest.mark.parametrize(("statut", "suite"), [
    ("soumise", "un·e chargé·e de programme peut la renvoyer pour correction ou la rejeter."),
    ("validee", "elle compte déjà dans les évaluations"),
])  # fmt: skip
def test_a_period_that_already_has_a_kept_value_is_refused_explaining_why(statut, suite):
    MesureFactory(
        indicateur=Indicateur.objects.get(code=BIO), date=datetime.date(2024, 9, 30), valeur=Decimal("28"),
        statut=statut, decision_le=timezone.now() if statut == "validee" else None,
    )  # fmt: skip

    exc = refus(xlsx([ligne()]), compte("partenaire"))

    (message,) = messages(exc)
    assert message.startswith(
        "Ligne 2, colonne « période » : la période « 2024 » a déjà une valeur : 28 % au 30/09/2024, "
    )
    assert suite in message


def test_every_error_of_the_file_is_reported_at_once():
    exc = refus(
        xlsx([ligne(valeur="101"), ligne(code="inconnu"), ligne(source="", date="99/99/2024")]), compte("partenaire")
    )

    assert [(e.ligne, e.colonne) for e in exc.erreurs] == [
        (2, "valeur"), (3, "code indicateur"), (4, "source"), (4, "date de la mesure"),
    ]  # fmt: skip
    assert exc.resume == "Fichier refusé, rien n'est enregistré : 4 erreurs."


@override_settings(IMPORT_ERREURS_MAX=2)
def test_errors_beyond_the_cap_are_counted_not_listed():
    exc = refus(xlsx([ligne(code=f"inconnu-{i}") for i in range(5)]), compte("partenaire"))

    assert len(exc.erreurs) == 2 and exc.nb_erreurs == 5
    assert exc.resume == "Fichier refusé, rien n'est enregistré : 5 erreurs, dont les 2 premières sont listées."


@pytest.mark.parametrize(
    ("entetes", "attendu"),
    [
        ([e for e in ENTETES if e != "Valeur"], ["Ligne 1, colonne « valeur » : colonne manquante"]),
        ([*ENTETES, "Commentaire"], ["Ligne 1, colonne « Commentaire » : colonne inconnue ; les colonnes "]),
        ([*ENTETES, "source "], ["Ligne 1, colonne « source » : colonne en double."]),
        ([e for e in ENTETES if e not in ("Période", "Début")], ["Ligne 1, colonne « période » : colonne manquante"]),
    ],
)  # fmt: skip
def test_missing_unknown_or_repeated_columns_are_refused_by_name(entetes, attendu):
    exc = refus(xlsx([], entetes=entetes), compte("partenaire"))

    assert len(messages(exc)) == len(attendu)
    assert all(m.startswith(a) for m, a in zip(messages(exc), attendu, strict=True)), messages(exc)


def test_headers_are_read_whatever_their_case_spacing_and_order():
    entetes = ["  SOURCE", "valeur", "code  indicateur", "période"]
    fichier = xlsx([["Agence Bio", "40", BIO, "2024"]], entetes=entetes)

    rapport = imports.mesures_import(fichier=fichier, by=compte("partenaire"))

    assert rapport.creees[0].valeur == Decimal("40")


CSV = b"Code indicateur;Valeur\nbiovallee-part-agriculture-bio;12,5\n"
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)  # an OLE2 compound document's signature


def _zip(fichiers: dict[str, bytes]) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        for nom, contenu in fichiers.items():
            archive.writestr(nom, contenu)
    return tampon.getvalue()


@pytest.mark.parametrize(
    ("nom", "contenu", "attendu"),
    [
        ("mesures.xlsx", b"", "Le fichier est vide"),
        ("mesures.xlsx", CSV, "Le contenu du fichier n'est pas un classeur .xlsx (un CSV"),
        ("mesures.csv", CSV, "Le fichier « mesures.csv » n'est pas un classeur .xlsx"),
        ("mesures.xls", XLS, "Le fichier est au format Excel 97-2003 (.xls)"),
        ("renomme.xlsx", XLS, "Le fichier est au format Excel 97-2003 (.xls)"),
        ("mesures.xlsx", bytes(range(256)) * 8, "Le contenu du fichier n'est pas un classeur .xlsx"),
        ("mesures.xlsx", b"PK\x03\x04" + bytes(1000), "Le fichier est endommagé ou n'est pas un classeur .xlsx"),
        ("mesures.xlsx", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "Le fichier est"),
        ("mesures.xlsx", _zip({"xl/workbook.xml": b"<pas du xml", "[Content_Types].xml": b"<"}), "Le fichier est"),
        ("sans-extension", b"PK\x03\x04", "Le fichier « sans-extension » n'est pas un classeur .xlsx"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_an_xlsx_workbook_is_refused_in_french(nom, contenu, attendu):
    exc = refus(SimpleUploadedFile(nom, contenu), compte("partenaire"))

    assert [e.ligne for e in exc.erreurs] == [None]
    assert messages(exc)[0].startswith(attendu), messages(exc)


def test_a_corrupted_copy_of_a_real_workbook_is_refused():
    contenu = xlsx([ligne()]).read()
    exc = refus(SimpleUploadedFile("m.xlsx", contenu[: len(contenu) // 2]), compte("partenaire"))

    assert messages(exc)[0].startswith("Le fichier est endommagé")


@override_settings(IMPORT_TAILLE_MAX_OCTETS=10_000)
def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    class Illisible(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("lu malgré sa taille")

    exc = refus(Illisible("gros.xlsx", b"x" * 20_000), compte("partenaire"))

    assert messages(exc) == ["Le fichier pèse 20 ko : au plus 10 ko. Découpez-le en plusieurs fichiers."]


def test_the_size_limit_is_stated_in_megabytes():
    assert imports.taille_texte(2 * 1024 * 1024) == "2 Mo"
    assert imports.taille_texte(2_202_010) == "2,1 Mo"
    assert imports.taille_texte(20_000) == "20 ko"


@override_settings(IMPORT_TAILLE_DECOMPRESSEE_MAX_OCTETS=100_000)
def test_a_zip_bomb_is_refused_before_openpyxl_parses_it():
    contenu = _zip({"xl/workbook.xml": b"<a/>", "xl/worksheets/sheet1.xml": b" " * 10_000_000})
    assert len(contenu) < 50_000

    exc = refus(SimpleUploadedFile("bombe.xlsx", contenu), compte("partenaire"))

    assert messages(exc)[0].startswith("Le classeur décompressé pèserait 9,5 Mo : au plus 98 ko.")


@override_settings(IMPORT_LIGNES_MAX=3)
def test_a_file_over_the_row_limit_is_refused():
    exc = refus(xlsx([ligne(periode=str(annee)) for annee in range(2020, 2025)]), compte("partenaire"))

    assert messages(exc) == ["Le fichier compte plus de 3 lignes à importer : découpez-le en plusieurs fichiers."]


def test_a_sheet_without_headers_in_row_one_is_refused():
    classeur = Workbook()
    classeur.active["C5"] = "Valeur"
    tampon = io.BytesIO()
    classeur.save(tampon)

    exc = refus(SimpleUploadedFile("m.xlsx", tampon.getvalue()), compte("partenaire"))

    assert messages(exc) == [
        "La ligne 1 de la feuille « Mesures » doit porter les en-têtes du modèle : téléchargez le modèle."
    ]


def test_a_director_neither_downloads_nor_imports():
    directeur = compte("directeur")
    with pytest.raises(imports.PermissionDenied):
        imports.modele_xlsx(by=directeur)
    with pytest.raises(imports.PermissionDenied):
        imports.mesures_import(fichier=xlsx([ligne()]), by=directeur)


def test_the_import_costs_a_bounded_number_of_queries_per_row(django_assert_max_num_queries):
    partenaire = compte("partenaire")
    codes = list(Indicateur.objects.filter(impact__projet__slug="biovallee").values_list("code", flat=True))
    lignes = [ligne(code=code, periode=str(annee), valeur="1") for code in codes[:5] for annee in (2021, 2022)]
    fichier = xlsx(lignes)
    imports.projets_du_declarant(partenaire)  # the profile, as a logged-in request has it

    # Reading and checking: six queries whatever the rows; then mesure_submit's own cost per row
    # (its full_clean checks each foreign key and constraint, the history row, a savepoint).
    with django_assert_max_num_queries(6 + 20 * len(lignes)):
        rapport = imports.mesures_import(fichier=fichier, by=partenaire)

    assert len(rapport.creees) == 10


# --- HTML ---------------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_pages_send_anonymous_users_to_log_in_and_refuse_directors():
    for url in ("/indicateurs/mesures/import/", "/indicateurs/mesures/modele.xlsx"):
        reponse = Client().get(url)
        assert reponse.status_code == 302 and reponse["Location"].startswith("/connexion/?next=")
        assert _client(compte("directeur")).get(url).status_code == 403


def test_a_partner_downloads_the_template_from_the_page():
    client = _client(compte("partenaire"))

    page = client.get("/indicateurs/mesures/import/")
    reponse = client.get("/indicateurs/mesures/modele.xlsx")

    assert page.status_code == 200
    assert 'href="/indicateurs/mesures/modele.xlsx"' in page.text
    assert 'accept=".xlsx' in page.text and "Taille maximale : 2 Mo" in page.text
    assert reponse["Content-Type"] == imports.XLSX
    assert reponse["Content-Disposition"].startswith('attachment; filename="mesures-a-declarer-')
    assert load_workbook(io.BytesIO(reponse.content))["Mesures"]["B1"].value == "Code indicateur"


def test_an_officer_chooses_a_project_and_an_unknown_project_is_a_404():
    client = _client(compte("charge"))

    page = client.get("/indicateurs/mesures/import/")
    reponse = client.get("/indicateurs/mesures/modele.xlsx?projet=biovallee")

    assert '<option value="biovallee">' in page.text
    lignes, _ = _lire(reponse.content)
    assert {row[0] for row in lignes[1:]} == {Projet.objects.get(slug="biovallee").titre}
    assert client.get("/indicateurs/mesures/modele.xlsx?projet=inconnu").status_code == 404


def test_a_refused_file_lists_its_errors_by_row_and_column_on_the_page():
    client = _client(compte("partenaire"))

    reponse = client.post(
        "/indicateurs/mesures/import/", {"fichier": xlsx([ligne(valeur="101"), ligne(code="inconnu", periode="2023")])}
    )

    assert reponse.status_code == 200 and Mesure.objects.count() == 0
    assert "Fichier refusé, rien n&#x27;est enregistré : 2 erreurs." in reponse.text
    assert (
        "<tr><td>2</td><td>« valeur »</td><td>Une part en % est comprise entre 0 et 100 : 101 est impossible.</td></tr>"
    ) in reponse.text
    assert "<tr><td>3</td><td>« code indicateur »</td><td>indicateur inconnu : « inconnu ».</td></tr>" in reponse.text


def test_a_page_without_a_file_or_with_a_csv_says_so():
    client = _client(compte("partenaire"))

    vide = client.post("/indicateurs/mesures/import/", {})
    csv = client.post("/indicateurs/mesures/import/", {"fichier": SimpleUploadedFile("m.csv", b"a;b\n")})

    assert "Choisissez le fichier .xlsx à importer." in vide.text
    assert "n&#x27;est pas un classeur .xlsx" in csv.text
    assert Mesure.objects.count() == 0


def test_an_imported_file_shows_the_counts_and_the_measurements(django_assert_max_num_queries):
    client = _client(compte("partenaire"))
    fichier = xlsx([ligne(), ligne(periode="2023", valeur=None), ligne(code=KWH, valeur="12 000")])

    reponse = client.post("/indicateurs/mesures/import/", {"fichier": fichier})

    assert reponse.status_code == 200
    assert 'data-chiffre="import/creees" data-valeur="2"' in reponse.text
    assert 'data-chiffre="import/sans-valeur" data-valeur="1"' in reponse.text
    assert Mesure.objects.count() == 2
    assert f'href="/indicateurs/{BIO}/"' in reponse.text and f'href="/indicateurs/{KWH}/"' in reponse.text
    assert reponse.text.count('<td class="ti-montant">') == 2
    assert reponse.context["rapport"].fichier == "mesures.xlsx"
    assert EtatPeriode.SOUMISE in Periode.objects.with_etat(timezone.localdate()).filter(
        indicateur__code=BIO, debut=datetime.date(2024, 1, 1)
    ).values_list("etat", flat=True)


def test_the_import_page_costs_a_fixed_number_of_queries(django_assert_num_queries):
    client = _client(compte("charge"))
    client.get("/indicateurs/mesures/import/")

    with django_assert_num_queries(4):
        client.get("/indicateurs/mesures/import/")
