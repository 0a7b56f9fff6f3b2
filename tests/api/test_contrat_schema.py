"""The published contract does not depend on the data, and a generated client can name every type in it."""

import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from config.identifiants import REGION, SLUG


def _schema() -> dict:
    # Through JSON, as served: lazy strings and tuples become what a client reads.
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def _parametres(schema: dict, chemin: str) -> dict[str, dict]:
    return {p["name"]: p for p in schema["paths"][chemin]["get"]["parameters"]}


def _schemas_en_ligne(noeud, chemin=()):
    """Every schema written inline (not a component of its own), with where it sits."""
    if isinstance(noeud, dict):
        en_ligne = chemin[:2] != ("components", "schemas") or len(chemin) > 3
        if en_ligne and ("type" in noeud or "enum" in noeud):
            yield chemin, noeud
        for cle, valeur in noeud.items():
            yield from _schemas_en_ligne(valeur, (*chemin, cle))
    elif isinstance(noeud, list):
        for i, valeur in enumerate(noeud):
            yield from _schemas_en_ligne(valeur, (*chemin, i))


@pytest.mark.django_db(transaction=True)
def test_the_schema_is_the_same_on_an_empty_database_and_a_loaded_one():
    call_command("flush", interactive=False, verbosity=0)
    vide = _schema()

    call_command("charger_laureats", verbosity=0)
    call_command("generer_demo", verbosity=0)
    charge = _schema()

    assert vide == charge
    assert "enum: []" not in json.dumps(vide) and '"enum": []' not in json.dumps(vide)


@pytest.mark.django_db
def test_filters_on_rows_are_patterned_strings_that_name_the_list_of_values():
    schema = _schema()
    projets = _parametres(schema, "/api/v1/projets/")
    engagements = _parametres(schema, "/api/v1/engagements/")
    mesures = _parametres(schema, "/api/v1/mesures/")

    assert projets["region"]["schema"] == {"type": "string", "pattern": REGION.motif}
    assert projets["region"]["description"] == "Code INSEE d'une région, tel que listé par `GET /api/v1/regions/`."
    assert projets["thematique"]["schema"] == {"type": "string", "pattern": SLUG}
    assert "`GET /api/v1/thematiques/`" in projets["thematique"]["description"]
    assert "`GET /api/v1/types-territoire/`" in projets["type_territoire"]["description"]
    assert "`GET /api/v1/organisations/`" in projets["chef_de_file"]["description"]
    assert "`GET /api/v1/projets/`" in engagements["projet"]["description"]
    assert "`GET /api/v1/indicateurs/`" in mesures["indicateur"]["description"]
    for chemin, schema_en_ligne in _schemas_en_ligne(schema):
        enum = schema_en_ligne.get("enum")
        assert enum is None or len(enum) < 10, f"liste de lignes dans le contrat : {chemin}"


@pytest.mark.django_db
def test_no_inline_enum_carries_a_title_a_generated_client_would_name_it_by():
    # openapi-python-client names an inline enum after its title: two filters titled
    # "Identifiant" made "conflicting enums named V1ProjetsListIdentifiant".
    titres = [(chemin, s["title"]) for chemin, s in _schemas_en_ligne(_schema()) if "enum" in s and "title" in s]

    assert titres == []


@pytest.mark.django_db
def test_a_parameter_with_a_component_enums_values_refers_to_that_enum():
    """One enum per set of values: a generated client takes the code it read from an envelope as a filter,
    and the ledger's natures are one type for commitments and disbursements."""
    schema = _schema()
    composants = {tuple(sorted(s["enum"])): nom for nom, s in schema["components"]["schemas"].items() if "enum" in s}
    en_ligne = [
        (chemin, p["name"])
        for chemin, operations in schema["paths"].items()
        for operation in operations.values()
        for p in operation.get("parameters", [])
        if tuple(sorted(p["schema"].get("enum", ()))) in composants
    ]

    assert en_ligne == []
    repetes = Counter(
        tuple(sorted(p["schema"]["enum"]))
        for operations in schema["paths"].values()
        for operation in operations.values()
        for p in operation.get("parameters", [])
        if "enum" in p["schema"]
    )
    assert [enum for enum, fois in repetes.items() if fois > 1] == []
    assert _parametres(schema, "/api/v1/versements/")["nature"]["schema"] == {"$ref": "#/components/schemas/NatureEnum"}
    assert _parametres(schema, "/api/v1/engagements/")["enveloppe"]["schema"] == {
        "$ref": "#/components/schemas/CodeEnveloppeEnum"
    }
    code = schema["paths"]["/api/v1/enveloppes/{code}/"]["get"]["parameters"][0]
    assert code["name"] == "code" and code["schema"] == {"$ref": "#/components/schemas/CodeEnveloppeEnum"}


@pytest.mark.django_db
def test_component_names_are_unique_and_valid_identifiers():
    noms = list(_schema()["components"]["schemas"])

    assert [nom for nom, n in Counter(nom.lower() for nom in noms).items() if n > 1] == []
    assert [nom for nom in noms if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", nom)] == []


RACINE = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_schema_validates_without_a_warning_and_passes_redocly_recommended_rules(tmp_path):
    fichier = tmp_path / "schema.yaml"
    call_command("spectacular", file=str(fichier), validate=True, fail_on_warn=True)

    redocly = subprocess.run(
        [RACINE / "node_modules" / ".bin" / "redocly", "lint", "--format=json", str(fichier)],
        cwd=RACINE, capture_output=True, text=True, timeout=120,
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
    )  # fmt: skip

    assert redocly.returncode == 0, redocly.stdout + redocly.stderr
    assert json.loads(redocly.stdout)["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}


def test_the_schema_declares_its_servers_and_the_data_licence():
    info = _schema()

    assert info["servers"] == [{"url": "/", "description": "Le serveur qui publie ce schéma."}]
    assert info["info"]["license"]["url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
