"""Every API error is RFC 9457 problem details (the `Probleme` schema), declared on the operations that return it."""

import functools
import json
import re

import jsonschema
import pytest
from django.test import Client, override_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.settings import api_settings

from config.api_exceptions import messages_par_champ
from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db
PROBLEME = "application/problem+json"
OPERATIONS_EN_CONFLIT = {
    ("/api/v1/engagements/", "post"),
    ("/api/v1/engagements/{uid}/desengagements/", "post"),
    ("/api/v1/versements/", "post"),
    ("/api/v1/versements/{uid}/annulations/", "post"),
    ("/api/v1/conventions/", "post"),
    ("/api/v1/conventions/{uid}/avenants/", "post"),
    ("/api/v1/tranches/{id}/versements/", "post"),
}


@functools.cache
def _schema() -> dict:
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


@pytest.fixture
def schema() -> dict:
    return _schema()  # reads no data: built once for the module


def client_for(role: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {jeton(compte(role))}")


def engagement(**champs) -> dict:
    return {
        "projet": "biovallee", "enveloppe": "subvention", "montant": "1000.00", "date": "2024-03-01",
        "reference": "CP-2024-03", "motif": "Convention de financement signée", **champs,
    }  # fmt: skip


def probleme(response, schema: dict, statut: int) -> dict:
    """The response is problem details of that status, valid against the served schema's `Probleme`."""
    assert response.status_code == statut, response.content
    assert response["Content-Type"] == PROBLEME
    corps = json.loads(response.content)
    jsonschema.validate(corps, schema["components"]["schemas"]["Probleme"])
    assert corps["status"] == statut and corps["instance"] == response.wsgi_request.path
    return corps


def test_a_field_error_is_a_400_with_its_messages_under_errors(schema):
    response = client_for("charge").post(
        "/api/v1/engagements/", engagement(montant="-5", date="demain"), content_type="application/json"
    )

    corps = probleme(response, schema, 400)
    assert corps["title"] == "Requête invalide"
    assert corps["type"] == "https://www.rfc-editor.org/rfc/rfc9110#status.400"
    assert set(corps["errors"]) == {"montant", "date"}
    assert all(isinstance(m, str) for messages in corps["errors"].values() for m in messages)


def test_nested_field_errors_are_named_by_their_dotted_path():
    detail = {"partenaires": [{}, {"role": ["Rôle inconnu."]}], "non_field_errors": ["Incohérent."], "nom": "Vide."}

    assert messages_par_champ(detail) == {
        "partenaires.1.role": ["Rôle inconnu."],
        "non_field_errors": ["Incohérent."],
        "nom": ["Vide."],
    }
    assert messages_par_champ(["Requête entière refusée."]) == {"non_field_errors": ["Requête entière refusée."]}


def test_a_bad_token_is_a_401_problem(schema):
    response = Client(HTTP_AUTHORIZATION="Token faux").get("/api/v1/projets/")

    corps = probleme(response, schema, 401)
    assert corps["title"] == "Authentification requise" and response["WWW-Authenticate"]


def test_a_write_by_a_partner_is_a_403_problem(schema):
    response = client_for("partenaire").post("/api/v1/engagements/", engagement(), content_type="application/json")

    probleme(response, schema, 403)


def test_an_unknown_object_and_an_unknown_api_address_are_404_problems(schema):
    probleme(Client().get("/api/v1/projets/inconnu/"), schema, 404)
    corps = probleme(Client().get("/api/v1/adresse-inexistante/"), schema, 404)
    assert corps["detail"]


def convention(montant: str, reference: str) -> dict:
    return {
        "projet": "biovallee", "beneficiaire": "association-biovallee", "objet": "Convention de financement",
        "date_signature": "2024-03-01", "reference": reference, "montant": montant,
        "tranches": [{"date_prevue": "2024-03-01", "montant": montant, "condition": "À la signature"}],
    }  # fmt: skip


def test_a_ceiling_conflict_is_a_409_problem_keeping_the_headroom(schema):
    charge = client_for("charge")
    charge.post("/api/v1/conventions/", convention("5000000.00", "CP-2024-03"), content_type="application/json")

    response = charge.post(
        "/api/v1/conventions/", convention("800000.00", "CP-2024-04"), content_type="application/json"
    )

    corps = probleme(response, schema, 409)
    assert corps["reste_disponible"] == "700000.00" and "il reste" in corps["detail"]


def test_a_service_refusal_in_a_nested_list_is_named_by_its_dotted_path(schema):
    corps = convention("1000.00", "CP-2024-05")
    corps["tranches"] = [
        {"date_prevue": "2024-03-01", "montant": "400.00", "condition": "À la signature"},
        {"date_prevue": "2024-01-01", "montant": "600.00", "condition": "Solde"},
    ]

    response = client_for("charge").post("/api/v1/conventions/", corps, content_type="application/json")

    assert list(probleme(response, schema, 400)["errors"]) == ["tranches.1.date_prevue"]


def test_throttling_is_a_429_problem_with_retry_after(schema):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anonyme": "1/min"}
    with override_settings(REST_FRAMEWORK={**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": rates}):
        Client().get("/api/v1/enveloppes/")
        response = Client().get("/api/v1/enveloppes/")

    corps = probleme(response, schema, 429)
    assert int(response["Retry-After"]) > 0 and f"{response['Retry-After']} seconde" in corps["detail"]


def test_a_repeated_parameter_refused_by_the_middleware_is_a_400_problem(schema):
    corps = probleme(Client().get("/api/v1/projets/?region=84&region=11"), schema, 400)

    assert list(corps["errors"]) == ["region"]


def test_an_error_asked_as_csv_is_still_problem_details(schema):
    response = Client().get("/api/v1/projets/", {"format": "csv", "region": "99"})

    corps = probleme(response, schema, 400)
    assert list(corps["errors"]) == ["region"]


@pytest.mark.parametrize(
    ("parametre", "valeur"),
    [("region", "8a"), ("region", "1234"), ("thematique", "pas un slug"), ("chef_de_file", "é"), ("projet", "a/b")],
)
def test_a_value_against_the_declared_pattern_is_refused(schema, parametre, valeur):
    chemin = "/api/v1/indicateurs/" if parametre == "projet" else "/api/v1/projets/"
    motif = next(p for p in schema["paths"][chemin]["get"]["parameters"] if p["name"] == parametre)["schema"]["pattern"]
    assert not re.search(motif, valeur)

    corps = probleme(Client().get(chemin, {parametre: valeur}), schema, 400)

    assert list(corps["errors"]) == [parametre]


def test_every_patterned_query_parameter_is_refused_when_it_does_not_match(schema):
    refus = {}
    for chemin, operations in schema["paths"].items():
        if "{" in chemin or "get" not in operations:
            continue
        for parametre in operations["get"].get("parameters", []):
            motif = parametre["schema"].get("pattern")
            if parametre["in"] != "query" or not motif:
                continue
            valeur = next(v for v in ("é !", "\x00") if not re.search(motif, v))
            reponse = client_for("charge").get(chemin, {parametre["name"]: valeur})
            refus[(chemin, parametre["name"])] = reponse.status_code

    assert len(refus) > 20
    assert {cle: statut for cle, statut in refus.items() if statut != 400} == {}


def test_every_operation_declares_its_errors_as_problem_details(schema):
    oublis = []
    for chemin, operations in schema["paths"].items():
        for methode, operation in operations.items():
            reponses = operation["responses"]
            attendus = {"400", "401", "429", "503"} | ({"409"} if (chemin, methode) in OPERATIONS_EN_CONFLIT else set())
            oublis += [(chemin, methode, code) for code in sorted(attendus - set(reponses))]
            for code, reponse in reponses.items():
                if int(code) >= 400:
                    assert reponse["content"] == {PROBLEME: {"schema": {"$ref": "#/components/schemas/Probleme"}}}

    assert oublis == []
