"""Measurements by spreadsheet: the template partners and officers fill in, and its import, all or nothing.

The template (`modele_xlsx`) has one row per reporting period the user owes (selectors.periodes_dues,
within the projects of a partner's organisation), the cells to fill unlocked. The import
(`mesures_import`) reads it back: every row is checked before anything is written, every
refusal is reported at once with its row and column, and the values go through
services.mesure_submit (or mesure_correct for a period sent back for correction) in one
transaction, so the service rules and the history hold as for a value typed in.

A hostile file stops early: its size before it is read, its uncompressed size before openpyxl
parses it (a zip bomb), the number of rows as they are read (openpyxl in read-only mode).
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from comptes.models import Profil
from comptes.roles import role_of
from comptes.selectors import projets_ids_of
from config import tableur
from config.saisie import SaisieInvalide, nombre_parse
from indicateurs import selectors, services
from indicateurs.models import VALEUR, EtatPeriode, Indicateur, Mesure, Periode, valeur_en_texte

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FEUILLE = "Mesures"
FEUILLE_AIDE = "Mode d'emploi"
# A legacy Excel (.xls) file is an OLE2 compound document; an XLSX is a ZIP archive.
SIGNATURE_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURE_ZIP = b"PK\x03\x04"
COLONNES_LUES_MAX = 50  # beyond the template's columns, a wide sheet is not read further
ENTIERS_MAX = VALEUR["max_digits"] - VALEUR["decimal_places"]
DECIMALES_MAX = VALEUR["decimal_places"]


@dataclass(frozen=True)
class Colonne:
    cle: str
    entete: str
    largeur: int
    format: str = "General"
    a_remplir: bool = False


COLONNES = [
    Colonne("projet", "Projet", 30),
    Colonne("code", "Code indicateur", 34),
    Colonne("indicateur", "Indicateur", 45),
    Colonne("unite", "Unité", 12),
    Colonne("periode", "Période", 18),
    Colonne("debut", "Début", 12, "dd/mm/yyyy"),
    Colonne("fin", "Fin", 12, "dd/mm/yyyy"),
    Colonne("date_limite", "Date limite", 12, "dd/mm/yyyy"),
    Colonne("etat", "État", 12),
    Colonne("precedente_valeur", "Valeur précédente", 14),
    Colonne("precedente_date", "Date de la valeur précédente", 14, "dd/mm/yyyy"),
    Colonne("valeur", "Valeur", 14, a_remplir=True),
    Colonne("date", "Date de la mesure", 14, "dd/mm/yyyy", a_remplir=True),
    Colonne("source", "Source", 40, a_remplir=True),
    Colonne("motif_renvoi", "Motif du renvoi", 40),
]
PAR_CLE = {c.cle: c for c in COLONNES}
REQUISES = ["code", "valeur", "source"]  # and the period, by its label or its start


def _normaliser(entete) -> str:
    return re.sub(r"\s+", " ", str(entete)).strip().casefold()


PAR_ENTETE = {_normaliser(c.entete): c for c in COLONNES}


def nom_colonne(cle: str) -> str:
    """How a column is named in the messages: « date de la mesure »."""
    return PAR_CLE[cle].entete.lower()


# --- Who imports what ---------------------------------------------------------------


def projets_du_declarant(user):
    """The projects whose indicators `user` declares: None for an officer (all), a partner's organisation's.

    Raises PermissionDenied for anyone else.
    """
    role = role_of(user)
    if role == Profil.Role.CHARGE:
        return None
    if role == Profil.Role.PARTENAIRE:
        return projets_ids_of(user)
    raise PermissionDenied("Réservé aux partenaires et aux chargé·es de programme.")


# --- The template -------------------------------------------------------------------

AIDE = [
    "Déclarer des mesures d'indicateurs par tableur",
    "",
    "1. La feuille « Mesures » compte une ligne par période de déclaration attendue, en retard ou à revoir.",
    "2. Remplissez pour chaque ligne la colonne « Valeur » et la colonne « Source » (d'où vient la valeur : "
    "étude, relevé, base de données…). Les autres colonnes sont protégées : ne les modifiez pas.",
    "3. « Date de la mesure » est facultative : vide, la mesure est datée de la fin de la période, ou "
    "d'aujourd'hui si la période n'est pas finie. Elle est comprise dans la période et jamais dans le futur.",
    "4. Les valeurs s'écrivent comme des nombres (1250,5) ou en texte à la française (« 1 250,5 ») : "
    "ni unité, ni exposant ; au plus 4 chiffres après la virgule. Une part en % s'écrit entre 0 et 100 "
    "(85,5 pour 85,5 %) ; une cellule au format pourcentage est lue telle qu'elle s'affiche.",
    "5. Une ligne sans valeur est ignorée : vous pouvez ne remplir qu'une partie du tableau.",
    "6. Déposez le fichier sur la page « Importer des mesures » du portail, ou par l'API "
    "(POST /api/v1/mesures/import/). Le fichier est importé en entier ou pas du tout : en cas d'erreur, "
    "rien n'est enregistré et toutes les erreurs sont listées avec leur ligne et leur colonne.",
    "7. Une période « à revoir » (renvoyée par un·e chargé·e de programme, qui dit quoi corriger dans la "
    "colonne « Motif du renvoi ») est corrigée par la ligne qui la concerne ; une période dont la valeur est "
    "déjà soumise ou validée est refusée.",
    "8. Les mesures importées sont soumises : elles comptent dans les évaluations une fois validées.",
    "",
    "Les colonnes protégées peuvent être déverrouillées (Révision > Ôter la protection, sans mot de passe) ; "
    "seules comptent « Code indicateur », « Période » ou « Début », « Valeur », « Date de la mesure » et "
    "« Source ». Le fichier pèse au plus {taille} et compte au plus {lignes} lignes.",
]


def _ligne_modele(periode: Periode) -> list:
    indicateur = periode.indicateur
    return [
        indicateur.impact.projet.titre, indicateur.code, indicateur.libelle, indicateur.unite, periode.libelle,
        periode.debut, periode.fin, periode.date_limite, EtatPeriode(periode.etat).label,
        periode.precedente_valeur, periode.precedente_date, None, None, None, periode.motif_renvoi,
    ]  # fmt: skip


def _validations(feuille, periodes: list[Periode]) -> None:
    """Excel's own hints on the cells to fill; warnings only, the import decides."""
    lettres = {c.cle: get_column_letter(i) for i, c in enumerate(COLONNES, start=1)}
    par_domaine: dict[tuple, DataValidation] = {}
    for numero, periode in enumerate(periodes, start=2):
        domaine = periode.indicateur.domaine
        cle = (domaine.minimum, domaine.maximum)
        if cle not in par_domaine:
            bornes = {"operator": "greaterThanOrEqual", "formula1": str(domaine.minimum)}
            if domaine.maximum is not None:
                bornes = {"operator": "between", "formula1": str(domaine.minimum), "formula2": str(domaine.maximum)}
            par_domaine[cle] = DataValidation(
                type="decimal", allow_blank=True, errorStyle="warning", showErrorMessage=True,
                showInputMessage=True, errorTitle="Valeur hors du domaine", error=f"{domaine.regle}.",
                promptTitle="Valeur", prompt="Un nombre, virgule décimale, sans unité.", **bornes,
            )  # fmt: skip
        par_domaine[cle].add(f"{lettres['valeur']}{numero}")
    for validation in par_domaine.values():
        feuille.add_data_validation(validation)
    if not periodes:
        return
    fin = len(periodes) + 1
    date = DataValidation(
        type="date", operator="lessThanOrEqual", formula1="TODAY()", allow_blank=True, errorStyle="warning",
        showErrorMessage=True, showInputMessage=True, errorTitle="Date", promptTitle="Date de la mesure",
        error="Une mesure ne peut pas être datée dans le futur.",
        prompt="Facultative : JJ/MM/AAAA, dans la période. Vide : fin de la période.",
    )  # fmt: skip
    date.add(f"{lettres['date']}2:{lettres['date']}{fin}")
    source = DataValidation(
        type="textLength", operator="lessThanOrEqual", formula1="500", allow_blank=True, errorStyle="warning",
        showErrorMessage=True, error="Au plus 500 caractères.", promptTitle="Source",
        prompt="Obligatoire : d'où vient la valeur (étude, relevé, base…).", showInputMessage=True,
    )  # fmt: skip
    source.add(f"{lettres['source']}2:{lettres['source']}{fin}")
    feuille.add_data_validation(date)
    feuille.add_data_validation(source)


def modele_xlsx(*, by, projet=None, jour: datetime.date | None = None) -> bytes:
    """The template of the periods `by` owes on `jour` (today by default), within `projet` when given."""
    projets = projets_du_declarant(by)
    jour = jour or timezone.localdate()
    periodes = selectors.periodes_a_declarer(jour=jour, projets=projets)
    if projet is not None:
        periodes = periodes.filter(indicateur__impact__projet=projet)
    periodes = list(periodes)
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = FEUILLE
    feuille.append([c.entete for c in COLONNES])
    entete = PatternFill("solid", fgColor="DDE5F4")
    a_remplir = PatternFill("solid", fgColor="FFF6D5")
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
        cellule.fill = entete
        cellule.alignment = Alignment(wrap_text=True, vertical="top")
    for periode in periodes:
        feuille.append([tableur.cellule(valeur) for valeur in _ligne_modele(periode)])
    for numero, colonne in enumerate(COLONNES, start=1):
        lettre = get_column_letter(numero)
        feuille.column_dimensions[lettre].width = colonne.largeur
        for (cellule,) in feuille.iter_rows(min_row=2, min_col=numero, max_col=numero):
            cellule.number_format = colonne.format
            if colonne.a_remplir:
                cellule.protection = Protection(locked=False)
                cellule.fill = a_remplir
    _validations(feuille, periodes)
    feuille.freeze_panes = "B2"
    feuille.auto_filter.ref = f"A1:{get_column_letter(len(COLONNES))}{len(periodes) + 1}"
    # Locked without a password: a guard against editing the prefilled cells by mistake, not a lock.
    feuille.protection.sheet = True
    feuille.protection.autoFilter = False
    feuille.protection.sort = False
    feuille.protection.formatColumns = False
    aide = classeur.create_sheet(FEUILLE_AIDE)
    aide.column_dimensions["A"].width = 120
    taille = taille_texte(settings.IMPORT_TAILLE_MAX_OCTETS)
    for texte in AIDE:
        aide.append([texte.format(taille=taille, lignes=settings.IMPORT_LIGNES_MAX)])
    aide["A1"].font = Font(bold=True, size=14)
    for (cellule,) in aide.iter_rows(min_row=2):
        cellule.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    classeur.save(buffer)
    return buffer.getvalue()


def nom_du_modele(jour: datetime.date | None = None) -> str:
    return f"mesures-a-declarer-{(jour or timezone.localdate()):%Y-%m-%d}.xlsx"


# --- The import: errors ------------------------------------------------------------------


@dataclass(frozen=True)
class Erreur:
    """A refusal: of the whole file (no row), of a header (row 1) or of a cell."""

    ligne: int | None
    colonne: str | None
    message: str
    cle: str | None = None  # the template's key of the column (`date`), None for an unknown header

    def __str__(self) -> str:
        if self.ligne is None:
            return self.message
        if self.colonne:
            return f"Ligne {self.ligne}, colonne « {self.colonne} » : {self.message}"
        return f"Ligne {self.ligne} : {self.message}"


class ImportRefuse(Exception):
    """The file is refused and nothing was written; `erreurs` lists the first ones, `nb_erreurs` counts them all."""

    def __init__(self, erreurs: list[Erreur], nb_erreurs: int | None = None):
        self.erreurs = erreurs
        self.nb_erreurs = len(erreurs) if nb_erreurs is None else nb_erreurs
        super().__init__(self.resume)

    @property
    def resume(self) -> str:
        pluriel = "s" if self.nb_erreurs > 1 else ""
        texte = f"Fichier refusé, rien n'est enregistré : {self.nb_erreurs} erreur{pluriel}"
        if self.nb_erreurs > len(self.erreurs):
            texte += f", dont les {len(self.erreurs)} premières sont listées"
        return texte + "."


def _refus(message: str) -> ImportRefuse:
    return ImportRefuse([Erreur(None, None, message)])


class _Erreurs:
    def __init__(self):
        self.liste: list[Erreur] = []
        self.total = 0

    def ajouter(self, ligne: int, cle: str | None, message: str) -> None:
        self.total += 1
        if len(self.liste) < settings.IMPORT_ERREURS_MAX:
            self.liste.append(Erreur(ligne, nom_colonne(cle) if cle else None, message, cle))

    def refus(self) -> ImportRefuse:
        return ImportRefuse(self.liste, self.total)


# --- The import: reading the file ------------------------------------------------------


def taille_texte(octets: int) -> str:
    """2097152 -> « 2 Mo », 2202009 -> « 2,1 Mo », 20000 -> « 20 ko »."""
    if octets < 100 * 1024:
        return f"{-(-octets // 1024)} ko"
    return f"{octets / 1024 / 1024:.1f}".replace(".", ",").removesuffix(",0") + " Mo"


def _lignes_du_classeur(fichier) -> list[tuple[int, tuple]]:
    """The sheet's rows that hold something, with their number; each cell as (value, number format)."""
    nom = fichier.name or ""
    extension = nom.rsplit(".", 1)[-1].lower() if "." in nom else ""
    if fichier.size == 0:
        raise _refus("Le fichier est vide : téléchargez le modèle, remplissez-le et déposez-le.")
    if fichier.size > settings.IMPORT_TAILLE_MAX_OCTETS:
        raise _refus(
            f"Le fichier pèse {taille_texte(fichier.size)} : au plus "
            f"{taille_texte(settings.IMPORT_TAILLE_MAX_OCTETS)}. Découpez-le en plusieurs fichiers."
        )
    fichier.seek(0)
    contenu = fichier.read(settings.IMPORT_TAILLE_MAX_OCTETS + 1)
    if extension == "xls" or contenu.startswith(SIGNATURE_OLE2):
        raise _refus(
            "Le fichier est au format Excel 97-2003 (.xls) : ouvrez-le et enregistrez-le au format "
            "« Classeur Excel (.xlsx) », puis déposez-le à nouveau."
        )
    if extension != "xlsx":
        raise _refus(
            f"Le fichier « {nom[:80]} » n'est pas un classeur .xlsx : téléchargez le modèle et déposez-le "
            "au format .xlsx (un CSV ou un classeur OpenDocument n'est pas accepté)."
        )
    if not contenu.startswith(SIGNATURE_ZIP):
        raise _refus(
            "Le contenu du fichier n'est pas un classeur .xlsx (un CSV ou un texte renommé en .xlsx ?) : "
            "enregistrez-le depuis votre tableur au format « Classeur Excel (.xlsx) »."
        )
    illisible = _refus(
        "Le fichier est endommagé ou n'est pas un classeur .xlsx lisible : enregistrez-le à nouveau depuis "
        "votre tableur au format « Classeur Excel (.xlsx) »."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            noms = archive.namelist()
            # zipfile never inflates an entry beyond its declared size: the sum bounds what openpyxl reads.
            decompresse = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise illisible from exc
    if "xl/workbook.xml" not in noms:
        raise illisible
    if decompresse > settings.IMPORT_TAILLE_DECOMPRESSEE_MAX_OCTETS:
        raise _refus(
            f"Le classeur décompressé pèserait {taille_texte(decompresse)} : au plus "
            f"{taille_texte(settings.IMPORT_TAILLE_DECOMPRESSEE_MAX_OCTETS)}. Supprimez les feuilles et mises en forme "
            "inutiles, ou découpez-le."
        )
    lignes: list[tuple[int, tuple]] = []
    trop = _refus(
        f"Le fichier compte plus de {settings.IMPORT_LIGNES_MAX} lignes à importer : découpez-le en plusieurs fichiers."
    )
    try:
        classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
        try:
            feuille = classeur[FEUILLE] if FEUILLE in classeur.sheetnames else classeur.worksheets[0]
            for numero, cellules in enumerate(feuille.iter_rows(max_col=COLONNES_LUES_MAX), start=1):
                valeurs = tuple((c.value, getattr(c, "number_format", None) or "General") for c in cellules)
                if all(_vide(v) for v, _ in valeurs):
                    continue
                lignes.append((numero, valeurs))
                if len(lignes) > settings.IMPORT_LIGNES_MAX + 1:  # the header row besides the data rows
                    raise trop
        finally:
            classeur.close()
    except ImportRefuse:
        raise
    except Exception as exc:
        # openpyxl raises whatever its parser meets in a damaged archive (KeyError, ValueError,
        # TypeError, XML errors...): for the user, all of them mean the same thing.
        raise illisible from exc
    return lignes


def _vide(valeur) -> bool:
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


def _colonnes(entetes: tuple, numero: int) -> tuple[dict[str, int], list[Erreur]]:
    """The position of each known column; an unknown, repeated or missing header is an error."""
    positions: dict[str, int] = {}
    erreurs = []
    attendues = ", ".join(f"« {c.entete} »" for c in COLONNES)
    for position, (entete, _) in enumerate(entetes):
        if _vide(entete):
            continue
        colonne = PAR_ENTETE.get(_normaliser(entete))
        texte = str(entete).strip()[:80]
        if colonne is None:
            erreurs.append(Erreur(numero, texte, f"colonne inconnue ; les colonnes du modèle sont {attendues}."))
        elif colonne.cle in positions:
            erreurs.append(Erreur(numero, texte, "colonne en double.", colonne.cle))
        else:
            positions[colonne.cle] = position
    for cle in REQUISES:
        if cle not in positions:
            erreurs.append(Erreur(numero, nom_colonne(cle), "colonne manquante : elle est obligatoire.", cle))
    if "periode" not in positions and "debut" not in positions:
        erreurs.append(
            Erreur(
                numero,
                nom_colonne("periode"),
                "colonne manquante : nommez la période par « Période » ou « Début ».",
                "periode",
            )
        )
    return positions, erreurs


# --- The import: reading a row -------------------------------------------------------------


class _Refus(Exception):
    def __init__(self, message: str):
        self.message = message


def _texte(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    return str(valeur).strip()


def _valeur(valeur, number_format: str) -> Decimal:
    if isinstance(valeur, bool | datetime.date | datetime.time | datetime.timedelta):
        raise _Refus("un nombre est attendu, par exemple 1250,5.")
    if isinstance(valeur, int | float):
        try:
            nombre = Decimal(repr(valeur)) if isinstance(valeur, float) else Decimal(valeur)
        except InvalidOperation as exc:
            raise _Refus("un nombre est attendu, par exemple 1250,5.") from exc
        if not nombre.is_finite():
            raise _Refus("un nombre est attendu, par exemple 1250,5.")
        if "%" in number_format:
            nombre *= 100  # 85,5 % shown is 0.855 stored: the value is the one shown
        nombre = nombre.normalize()
        if nombre.as_tuple().exponent < -DECIMALES_MAX:
            raise _Refus(
                f"{nombre:f} a trop de décimales : au plus {DECIMALES_MAX} chiffres après la virgule "
                "(arrondissez la valeur ou la formule)."
            )
    else:
        try:
            nombre = nombre_parse(str(valeur), decimales=DECIMALES_MAX)
        except SaisieInvalide as exc:
            raise _Refus(exc.message[0].lower() + exc.message[1:]) from exc
    if abs(nombre) >= 10**ENTIERS_MAX:
        raise _Refus(f"au plus {ENTIERS_MAX} chiffres avant la virgule.")
    return nombre


_DATE_FR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _date(valeur) -> datetime.date:
    if isinstance(valeur, datetime.datetime):
        return valeur.date()
    if isinstance(valeur, datetime.date):
        return valeur
    texte = _texte(valeur)
    if trouve := _DATE_FR.fullmatch(texte):
        jour, mois, annee = map(int, trouve.groups())
    elif trouve := _DATE_ISO.fullmatch(texte):
        annee, mois, jour = map(int, trouve.groups())
    else:
        raise _Refus(f"« {texte[:40]} » n'est pas une date : écrivez-la JJ/MM/AAAA, par exemple 31/12/2025.")
    try:
        return datetime.date(annee, mois, jour)
    except ValueError as exc:
        raise _Refus(f"« {texte} » n'est pas une date du calendrier.") from exc


@dataclass
class _Ecriture:
    ligne: int
    indicateur: Indicateur
    periode: Periode
    valeur: Decimal
    date: datetime.date | None
    source: str
    a_corriger: Mesure | None


@dataclass
class RapportImport:
    """What an import wrote: the measurements created and those corrected, and the rows left without a value."""

    fichier: str
    creees: list[Mesure] = field(default_factory=list)
    corrigees: list[Mesure] = field(default_factory=list)
    lignes_sans_valeur: int = 0

    @property
    def mesures(self) -> list[Mesure]:
        return [*self.creees, *self.corrigees]


class _Lecture:
    """One pass over the rows with what they refer to, read beforehand in a fixed number of queries."""

    def __init__(self, lignes, positions, *, by, jour):
        self.lignes, self.positions, self.by, self.jour = lignes, positions, by, jour
        codes = {_texte(self._cellule(cellules, "code")[0]) for _, cellules in lignes}
        self.indicateurs = {
            i.code: i for i in Indicateur.objects.filter(code__in=codes).select_related("impact__projet")
        }
        projets = projets_du_declarant(by)
        self.projets_permis = None if projets is None else set(projets)
        self.periodes: dict[int, list[Periode]] = {}
        for periode in Periode.objects.filter(indicateur__in=self.indicateurs.values()).order_by("debut"):
            self.periodes.setdefault(periode.indicateur_id, []).append(periode)
        self.gardees: dict[int, list[Mesure]] = {}
        gardees = Mesure.objects.filter(periode__indicateur__in=self.indicateurs.values()).exclude(
            statut=Mesure.Statut.REJETEE
        )
        for mesure in gardees.order_by("-date", "-pk"):
            self.gardees.setdefault(mesure.periode_id, []).append(mesure)

    def _cellule(self, cellules: tuple, cle: str) -> tuple:
        position = self.positions.get(cle)
        if position is None or position >= len(cellules):
            return None, "General"
        return cellules[position]

    def _periode(self, cellules, indicateur: Indicateur) -> Periode:
        siennes = self.periodes.get(indicateur.pk, [])
        libelle = _texte(self._cellule(cellules, "periode")[0])
        debut_brut = self._cellule(cellules, "debut")[0]
        par_libelle = par_debut = None
        if libelle:
            par_libelle = next((p for p in siennes if p.libelle.casefold() == libelle.casefold()), None)
            if par_libelle is None:
                bornes = f" ; ses périodes vont de « {siennes[0].libelle} » à « {siennes[-1].libelle} »" * bool(siennes)
                raise _Refus(f"l'indicateur n'a pas de période « {libelle[:40]} »{bornes}.")
        if not _vide(debut_brut):
            debut = _date(debut_brut)
            par_debut = next((p for p in siennes if p.debut == debut), None)
            if par_debut is None:
                raise _Refus(f"aucune période de l'indicateur ne commence le {debut:%d/%m/%Y}.")
        if par_libelle and par_debut and par_libelle != par_debut:
            raise _Refus(
                f"la période « {par_libelle.libelle} » ne commence pas le {par_debut.debut:%d/%m/%Y} "
                "(colonne « début ») : corrigez l'une des deux."
            )
        if not (par_libelle or par_debut):
            raise _Refus("la période est vide : nommez-la (« 2025 », « 1er semestre 2025 »…) ou donnez son début.")
        return par_libelle or par_debut

    def _deja(self, periode: Periode, indicateur: Indicateur) -> Mesure | None:
        """The measurement sent back for correction this row corrects; a kept value otherwise refuses it."""
        gardees = self.gardees.get(periode.pk, [])
        retenue = next((m for m in gardees if m.statut != Mesure.Statut.A_REVOIR), None)
        if retenue is not None:
            suite = (
                "un·e chargé·e de programme peut la renvoyer pour correction ou la rejeter"
                if retenue.statut == Mesure.Statut.SOUMISE
                else "elle compte déjà dans les évaluations ; pour la corriger, adressez-vous à un·e chargé·e de "
                "programme"
            )
            raise _Refus(
                f"la période « {periode.libelle} » a déjà une valeur : {valeur_en_texte(retenue.valeur)} "
                f"{indicateur.unite} au {retenue.date:%d/%m/%Y}, {retenue.get_statut_display().lower()} ; {suite}."
            )
        return gardees[0] if gardees else None

    def lire(self, erreurs: _Erreurs, rapport: RapportImport) -> list[_Ecriture]:
        ecritures = []
        vues: dict[tuple[int, int], int] = {}
        for numero, cellules in self.lignes:
            valeur_brute, number_format = self._cellule(cellules, "valeur")
            code = _texte(self._cellule(cellules, "code")[0])
            if _vide(valeur_brute):
                rapport.lignes_sans_valeur += 1 if code else 0
                continue
            ecriture = self._ligne(numero, cellules, code, valeur_brute, number_format, erreurs)
            if ecriture is None:
                continue
            cle = (ecriture.indicateur.pk, ecriture.periode.pk)
            if cle in vues:
                erreurs.ajouter(
                    numero, "periode",
                    f"la ligne {vues[cle]} déclare déjà la période « {ecriture.periode.libelle} » de cet indicateur : "
                    "une seule valeur par période.",
                )  # fmt: skip
                continue
            vues[cle] = numero
            ecritures.append(ecriture)
        return ecritures

    def _ligne(self, numero, cellules, code, valeur_brute, number_format, erreurs: _Erreurs) -> _Ecriture | None:
        avant = erreurs.total
        indicateur = self.indicateurs.get(code)
        if not code:
            erreurs.ajouter(numero, "code", "le code de l'indicateur manque.")
        elif indicateur is None:
            erreurs.ajouter(numero, "code", f"indicateur inconnu : « {code[:120]} ».")
        elif self.projets_permis is not None and indicateur.impact.projet_id not in self.projets_permis:
            erreurs.ajouter(
                numero, "code",
                f"votre organisation ne participe pas au projet « {indicateur.impact.projet.titre} » : "
                "vous ne pouvez pas déclarer de mesure pour ses indicateurs.",
            )  # fmt: skip
            indicateur = None
        try:
            valeur = _valeur(valeur_brute, number_format)
        except _Refus as exc:
            erreurs.ajouter(numero, "valeur", exc.message)
            valeur = None
        if valeur is not None and indicateur is not None and not indicateur.domaine.contient(valeur):
            erreurs.ajouter(numero, "valeur", indicateur.domaine.refus(valeur))
        source = _texte(self._cellule(cellules, "source")[0])
        if not source:
            erreurs.ajouter(numero, "source", "la source est obligatoire : d'où vient la valeur (étude, relevé…) ?")
        elif len(source) > 500:
            erreurs.ajouter(numero, "source", f"au plus 500 caractères ({len(source)} ici).")
        if indicateur is None:
            return None
        periode = a_corriger = date = None
        try:
            periode = self._periode(cellules, indicateur)
            a_corriger = self._deja(periode, indicateur)
        except _Refus as exc:
            erreurs.ajouter(numero, "periode", exc.message)
        date_brute = self._cellule(cellules, "date")[0]
        if not _vide(date_brute):
            try:
                date = _date(date_brute)
            except _Refus as exc:
                erreurs.ajouter(numero, "date", exc.message)
            else:
                if date > self.jour:
                    erreurs.ajouter(numero, "date", "une mesure ne peut pas être datée dans le futur.")
                elif periode is not None and not periode.debut <= date <= periode.fin:
                    erreurs.ajouter(
                        numero, "date",
                        f"le {date:%d/%m/%Y} n'est pas dans la période « {periode.libelle} » "
                        f"(du {periode.debut:%d/%m/%Y} au {periode.fin:%d/%m/%Y}).",
                    )  # fmt: skip
        elif periode is not None and a_corriger is None:
            date = min(periode.fin, self.jour)
            if date < periode.debut:
                erreurs.ajouter(numero, "date", f"la période « {periode.libelle} » n'a pas commencé.")
        if erreurs.total > avant:
            return None
        return _Ecriture(numero, indicateur, periode, valeur, date, source, a_corriger)


# --- The import: writing ---------------------------------------------------------------------

COLONNE_DU_CHAMP = {"valeur": "valeur", "date": "date", "source": "source", "statut": "periode"}


class _Annulation(Exception):
    pass


def _nom_court(nom: str) -> str:
    # The history keeps 100 characters of reason, the API's token name is added after it.
    nom = nom.replace("\\", "/").rsplit("/", 1)[-1]
    return nom if len(nom) <= 30 else f"{nom[:20]}…{nom[-9:]}"


def mesures_import(*, fichier, by) -> RapportImport:
    """Import the measurements of a filled template, all or nothing; raises ImportRefuse with every error.

    `fichier`: an uploaded file (name, size, read). Each row with a value is a measurement of the
    period it names: submitted, or correcting the measurement sent back for that period. A row
    without a value is skipped.
    """
    projets_du_declarant(by)  # refused before the file is read
    nom = _nom_court(fichier.name or "sans nom")
    lignes = _lignes_du_classeur(fichier)
    if not lignes or lignes[0][0] != 1:
        raise _refus(
            f"La ligne 1 de la feuille « {FEUILLE} » doit porter les en-têtes du modèle : téléchargez le modèle."
        )
    positions, erreurs_entetes = _colonnes(lignes[0][1], 1)
    if erreurs_entetes:
        raise ImportRefuse(erreurs_entetes)
    jour = timezone.localdate()
    rapport = RapportImport(fichier=nom)
    erreurs = _Erreurs()
    ecritures = _Lecture(lignes[1:], positions, by=by, jour=jour).lire(erreurs, rapport)
    if erreurs.total:
        raise erreurs.refus()
    if not ecritures:
        raise _refus("Aucune valeur à importer : remplissez la colonne « Valeur » d'au moins une ligne.")
    try:
        with transaction.atomic():
            for e in ecritures:
                try:
                    if e.a_corriger is None:
                        rapport.creees.append(
                            services.mesure_submit(
                                indicateur=e.indicateur, date=e.date, valeur=e.valeur, source=e.source, by=by,
                                motif=f"Mesure importée (fichier « {nom} »)",
                            )
                        )  # fmt: skip
                    else:
                        rapport.corrigees.append(
                            services.mesure_correct(
                                mesure=e.a_corriger, valeur=e.valeur, source=e.source, by=by, date=e.date,
                                motif=f"Mesure corrigée par import (fichier « {nom} »)",
                            )
                        )  # fmt: skip
                except ValidationError as exc:
                    # A value written meanwhile by someone else: the same refusal as if it had come first.
                    for champ, messages in getattr(exc, "message_dict", {None: exc.messages}).items():
                        for message in messages:
                            erreurs.ajouter(e.ligne, COLONNE_DU_CHAMP.get(champ), message)
                except PermissionDenied as exc:
                    erreurs.ajouter(e.ligne, "code", str(exc))
            if erreurs.total:
                raise _Annulation
    except _Annulation:
        raise erreurs.refus() from None
    return rapport
