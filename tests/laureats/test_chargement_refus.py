"""charger_laureats refuses a malformed fixture with one exact French message naming the file, record and field.

The messages are written out whole: an officer fixing a fixture reads nothing else,
so a record number off by one or a field named wrongly is a bug.
"""

import json
import locale
from pathlib import Path

import pytest

from config.chargement import FIXTURES_DIR, FixtureError
from laureats.models import Projet
from portail.chargement import programme_load

pytestmark = pytest.mark.django_db

BIOVALLEE = "laureats.json, projet n°1 « biovallee »"


def _copie(tmp_path: Path, nom: str, change) -> Path:
    data = json.loads((FIXTURES_DIR / nom).read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / nom
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _projet(**champs):
    """Change fields of the first laureate (Biovallée)."""
    return lambda data: data["projets"][0].update(champs)


def _refus(*, laureats_path: Path | None = None, referentiels_path: Path | None = None) -> str:
    chemins = {"laureats_path": laureats_path, "referentiels_path": referentiels_path}
    with pytest.raises(FixtureError) as excinfo:
        programme_load(**{nom: chemin for nom, chemin in chemins.items() if chemin is not None})
    return str(excinfo.value)


def _sans_slug(data):
    del data["projets"][0]["slug"]


def _doublon(data):
    data["projets"][1]["slug"] = "biovallee"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            lambda data: data.update(projets={"biovallee": {}}),
            "laureats.json, champ « projets » : liste attendue.",
            id="projets-pas-une-liste",
        ),
        pytest.param(
            lambda data: data["projets"].__setitem__(0, "biovallee"),
            "laureats.json, projets n°1 : un objet JSON est attendu.",
            id="projet-pas-un-objet",
        ),
        pytest.param(
            _projet(chef_de_file="Association Biovallée"),
            f"{BIOVALLEE}, champ « chef_de_file » : un objet JSON est attendu.",
            id="chef-de-file-pas-un-objet",
        ),
        pytest.param(
            _sans_slug,
            "laureats.json, projet n°1 « ? », champ « slug » : champ manquant.",
            id="slug-manquant",
        ),
        pytest.param(
            _projet(slug="Bio Vallee"),
            "laureats.json, projet n°1 « Bio Vallee », champ « slug » : "
            "identifiant invalide « Bio Vallee » (minuscules, chiffres et tirets).",
            id="slug-invalide",
        ),
        pytest.param(
            _doublon,
            "laureats.json : identifiants de projet en double.",
            id="slug-en-double",
        ),
        pytest.param(
            _projet(titre="   "),
            f"{BIOVALLEE}, champ « titre » : texte non vide attendu.",
            id="titre-blanc",
        ),
        pytest.param(
            _projet(titre=12),
            f"{BIOVALLEE}, champ « titre » : texte non vide attendu.",
            id="titre-nombre",
        ),
        pytest.param(
            _projet(objectifs_conclusion=3),
            f"{BIOVALLEE}, champ « objectifs_conclusion » : texte attendu (vide permis).",
            id="conclusion-nombre",
        ),
        pytest.param(
            _projet(ordre=0),
            f"{BIOVALLEE}, champ « ordre » : entier ≥ 1 attendu, reçu 0.",
            id="ordre-zero",
        ),
        pytest.param(
            _projet(page=0),
            f"{BIOVALLEE}, champ « page » : entier ≥ 1 attendu, reçu 0.",
            id="page-zero",
        ),
        pytest.param(
            _projet(nb_partenaires_declares=-1),
            f"{BIOVALLEE}, champ « nb_partenaires_declares » : entier ≥ 0 attendu, reçu -1.",
            id="partenaires-negatif",
        ),
        pytest.param(
            _projet(population_concernee=True),
            f"{BIOVALLEE}, champ « population_concernee » : entier ≥ 0 attendu, reçu True.",
            id="population-booleen",
        ),
        pytest.param(
            _projet(nb_collectivites_declarees=30),
            f"{BIOVALLEE}, champ « nb_collectivites_declarees » : plus de collectivités que de partenaires déclarés.",
            id="collectivites-plus-que-partenaires",
        ),
        pytest.param(
            _projet(subvention_prevue="0.00"),
            f"{BIOVALLEE}, champ « subvention_prevue » : le montant doit être strictement positif.",
            id="subvention-nulle",
        ),
        pytest.param(
            _projet(subvention_prevue=None),
            f"{BIOVALLEE}, champ « subvention_prevue » : "
            'montant en euros attendu sous la forme "5700000.00", reçu None.',
            id="subvention-absente",
        ),
        pytest.param(
            _projet(budget_previsionnel="53000000"),
            f"{BIOVALLEE}, champ « budget_previsionnel » : "
            "montant en euros attendu sous la forme \"5700000.00\", reçu '53000000'.",
            id="budget-sans-centimes",
        ),
        pytest.param(
            _projet(objectifs="Réduire les flux"),
            f"{BIOVALLEE}, champ « objectifs » : liste non vide attendue.",
            id="objectifs-pas-une-liste",
        ),
        pytest.param(
            _projet(impacts_2030=["Réduire de moitié", "  "]),
            f"{BIOVALLEE}, champ « impacts_2030 » : l'élément n°2 doit être un texte non vide.",
            id="impact-blanc",
        ),
        pytest.param(
            _projet(co_porteurs=["Valence Romans Agglo", 7]),
            f"{BIOVALLEE}, champ « co_porteurs » : l'élément n°2 doit être un texte non vide.",
            id="co-porteur-nombre",
        ),
        pytest.param(
            _projet(region="99"),
            f"{BIOVALLEE}, champ « region » : code INSEE « 99 » absent du référentiel des régions.",
            id="region-inconnue",
        ),
        pytest.param(
            _projet(types_territoire=["Métropole lunaire"]),
            f"{BIOVALLEE}, champ « types_territoire » : libellé « Métropole lunaire » absent du vocabulaire contrôlé.",
            id="type-inconnu",
        ),
        pytest.param(
            _projet(thematiques=["Transition écologique et énergétique", "Transition énergétique et écologique"]),
            f"{BIOVALLEE}, champ « thematiques » : deux libellés désignent la même entrée du vocabulaire.",
            id="thematique-deux-fois",
        ),
        pytest.param(
            _projet(co_porteurs=["Coopérative inconnue"]),
            f"{BIOVALLEE}, champ « chef_de_file » : "
            "organisation « Coopérative inconnue » absente du référentiel des organisations.",
            id="co-porteur-inconnu",
        ),
    ],
)
def test_a_malformed_laureate_is_refused_with_the_exact_message(tmp_path, change, message):
    assert _refus(laureats_path=_copie(tmp_path, "laureats.json", change)) == message


def _variante_prise(data):
    # « Agroécologie » is the label of the third theme: a variant of the second cannot take it.
    data["thematiques"][1]["variantes"] = ["Agroécologie"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            lambda data: data["enveloppes"][1].update(plafonne_par_projet="non"),
            "referentiels.json, enveloppes n°2, champ « plafonne_par_projet » : booléen attendu.",
            id="booleen-en-texte",
        ),
        pytest.param(
            _variante_prise,
            "referentiels.json, thematiques n°3, champ « variantes » : "
            "« Agroécologie » appartient déjà à « transition-ecologique ».",
            id="orthographe-de-deux-entrees",
        ),
        pytest.param(
            lambda data: data["types_territoire"][1].update(variantes="Villes moyennes"),
            "referentiels.json, types_territoire n°2, champ « variantes » : liste non vide attendue.",
            id="variantes-pas-une-liste",
        ),
        pytest.param(
            lambda data: data["regions"][1].update(code=""),
            "referentiels.json, regions n°2, champ « code » : texte non vide attendu.",
            id="code-region-vide",
        ),
    ],
)
def test_a_malformed_reference_entry_is_refused_with_the_exact_message(tmp_path, change, message):
    assert _refus(referentiels_path=_copie(tmp_path, "referentiels.json", change)) == message


def test_a_missing_file_is_named_by_its_path(tmp_path):
    absent = tmp_path / "laureats.json"

    assert _refus(laureats_path=absent) == f"{absent} : fichier introuvable."


def test_invalid_json_is_located_by_line_and_column(tmp_path):
    path = tmp_path / "laureats.json"
    # The comma stands in column 15 of line 2, where a value was expected.
    path.write_text('{\n  "projets": [,\n', encoding="utf-8")

    assert _refus(laureats_path=path) == f"{path} : JSON invalide ligne 2, colonne 15 (Expecting value)."


@pytest.fixture
def locale_ascii():
    """A server started without a UTF-8 locale (the bare C locale) reads text files as ASCII by default."""
    avant = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    yield
    locale.setlocale(locale.LC_CTYPE, avant)


def test_the_files_are_read_as_utf8_whatever_the_servers_locale(tmp_path, locale_ascii):
    # The press kit's titles carry accents: read in the locale's encoding they would be refused or garbled.
    path = _copie(tmp_path, "laureats.json", _projet(titre="BIOVALLÉE — Drôme"))

    programme_load(laureats_path=path)

    assert Projet.objects.get(slug="biovallee").titre == "BIOVALLÉE — Drôme"


def test_values_the_database_refuses_name_the_record_each_field_and_the_reason(tmp_path):
    def trop_longs(data):
        data["projets"][23].update(titre="X" * 300, intitule_sommaire="Y" * 256)

    path = _copie(tmp_path, "laureats.json", trop_longs)

    assert _refus(laureats_path=path) == (
        "laureats.json, projet n°24 « ouest-territoires-d-elevage », "
        "champ « titre » : Assurez-vous que cette valeur comporte au plus 255 caractères (actuellement 300).; "
        "champ « intitule_sommaire » : "
        "Assurez-vous que cette valeur comporte au plus 255 caractères (actuellement 256). Rien n'a été enregistré."
    )


@pytest.mark.parametrize(
    ("change", "refus"),
    [
        pytest.param(
            lambda data: data["regions"][0].update(nom="R" * 120),
            "champ « nom » : Assurez-vous que cette valeur comporte au plus 100 caractères (actuellement 120).",
            id="region",
        ),
        pytest.param(
            lambda data: data["enveloppes"][0].update(libelle="E" * 151),
            "champ « libelle » : Assurez-vous que cette valeur comporte au plus 150 caractères (actuellement 151).",
            id="enveloppe",
        ),
        pytest.param(
            lambda data: data["organisations"].append({"nom": "O" * 256, "nature": "association"}),
            "champ « nom » : Assurez-vous que cette valeur comporte au plus 255 caractères (actuellement 256).",
            id="organisation",
        ),
    ],
)
def test_a_reference_entry_the_database_refuses_names_the_file(tmp_path, change, refus):
    path = _copie(tmp_path, "referentiels.json", change)

    assert _refus(referentiels_path=path) == f"referentiels.json, {refus} Rien n'a été enregistré."


@pytest.mark.parametrize(
    ("champs", "attendu"),
    [
        pytest.param({"nb_partenaires_declares": 3, "nb_collectivites_declarees": 3}, (3, 3), id="autant"),
        pytest.param({"nb_partenaires_declares": 0, "nb_collectivites_declarees": 0}, (0, 0), id="aucun"),
    ],
)
def test_as_many_local_authorities_as_partners_is_accepted(tmp_path, champs, attendu):
    programme_load(laureats_path=_copie(tmp_path, "laureats.json", _projet(**champs)))

    projet = Projet.objects.get(slug="biovallee")
    assert (projet.nb_partenaires_declares, projet.nb_collectivites_declarees) == attendu


def test_one_cent_is_the_smallest_amount_accepted(tmp_path):
    programme_load(laureats_path=_copie(tmp_path, "laureats.json", _projet(budget_previsionnel="0.01")))

    assert str(Projet.objects.get(slug="biovallee").budget_previsionnel) == "0.01"
