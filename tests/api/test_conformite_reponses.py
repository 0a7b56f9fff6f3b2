"""Every GET of the served schema, for every role, on a populated database, validated against that schema.

A generated client trusts the schema: a field declared non-null that comes back null
crashes it. The run reads the database twice, as a fresh install (the 24 laureates, no
ledger) and as a programme in progress (`generer_demo` plus rows that fill what the demo
leaves empty), walks every list page by page and the detail of every listed object, and
hands each response to schemathesis' validator, the one the CI fuzz run uses. It also
records, for every field the schema declares nullable, whether it was seen null and not
null: a nullable field never seen both ways is a field this check does not really test.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import requests
import schemathesis
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.transport import Response

from comptes.services import jeton_create, jeton_revoke
from financements import services as financements
from financements.models import Convention, Enveloppe
from indicateurs.demo import demo_generate
from indicateurs.models import Indicateur
from laureats.models import Etablissement, Organisation
from tests.factories import ProjetFactory, compte

# Several thousand requests: left out of mutation runs (mutation/lancer.py), run by `make test`.
pytestmark = pytest.mark.conformite

ROLES = ["anonyme", "partenaire", "directeur", "charge"]
PAGE = 100  # the largest page the contract honours: fewest requests
PATH_PARAM = re.compile(r"\{(\w+)\}")
# The lists answered by the fast read path (config/lecture_rapide.py, rows outside the serializer):
# also read under filters and orderings, in pages of 100 and of one row.
FILTRES = {
    "/api/v1/projets/": [
        "?page_size=100&ordering=-budget_previsionnel", "?page_size=1&region=84&ordering=titre",
        "?page_size=100&updated_since=2000-01-01", "?page_size=1&search=alimentation",
    ],
    "/api/v1/mesures/": [
        "?page_size=100&statut=validee&ordering=date", "?page_size=1&demo=true",
        "?page_size=100&updated_since=2000-01-01", "?page_size=1&ordering=-soumise_le",
    ],
}  # fmt: skip


@dataclass
class Parcours:
    schema: dict
    violations: list[str] = field(default_factory=list)
    # (component or inline location, property) -> {"null", "valeur"}
    vus: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    operations_lues: set[str] = field(default_factory=set)  # "GET /path" answered 200 at least once
    nb_reponses: int = 0


def _reponse(django_response, url: str) -> Response:
    """A Django test response in the shape schemathesis validates (its own transport type)."""
    headers: dict[str, list[str]] = defaultdict(list)
    for name, value in django_response.items():
        headers[name.lower()].append(value)
    return Response(
        status_code=django_response.status_code,
        headers=dict(headers),
        content=django_response.content,
        request=requests.Request("GET", f"http://testserver{url}").prepare(),
        elapsed=0.0,
        verify=False,
    )


# --- Nullable fields: read from the schema, followed along each body ------------------------------


def _resoudre(schema: dict, racine: dict) -> tuple[dict, str | None]:
    nom = None
    while "$ref" in schema:
        nom = schema["$ref"].rsplit("/", 1)[-1]
        schema = racine["components"]["schemas"][nom]
    return schema, nom


def _nullable(schema: dict) -> bool:
    """OpenAPI 3.0 `nullable`, or 3.1 `type: [..., "null"]` / a `null` branch, whichever the schema uses."""
    types = schema.get("type")
    return bool(
        schema.get("nullable")
        or (isinstance(types, list) and "null" in types)
        or any(branche.get("type") == "null" for branche in schema.get("oneOf", []) + schema.get("anyOf", []))
    )


def _branche(schema: dict, racine: dict) -> tuple[dict, str | None]:
    """The schema a non-null value follows: through `$ref`, a single `allOf`, or the non-null branch."""
    schema, nom = _resoudre(schema, racine)
    for cle in ("allOf", "oneOf", "anyOf"):
        branches = [b for b in schema.get(cle, []) if b.get("type") != "null"]
        if len(branches) == 1:
            return _branche(branches[0], racine)
    return schema, nom


def _composants_des_reponses(racine: dict) -> set[str]:
    """The components a successful GET response reaches, directly or through other components."""
    atteints: set[str] = set()

    def visiter(schema: dict) -> None:
        for ref in re.findall(r"#/components/schemas/(\w+)", repr(schema)):
            if ref not in atteints:
                atteints.add(ref)
                visiter(racine["components"]["schemas"][ref])

    for operations in racine["paths"].values():
        if "get" in operations:
            visiter(operations["get"]["responses"].get("200", {}))
    return atteints


def nullables_du_schema(racine: dict) -> set[tuple[str, str]]:
    """Every (component, property) the schema declares nullable in what a GET response reaches."""
    return {
        (nom, propriete)
        for nom in _composants_des_reponses(racine)
        for propriete, schema in racine["components"]["schemas"][nom].get("properties", {}).items()
        if _nullable(schema)
    }


def _suivre(schema: dict, valeur, racine: dict, lieu: str, vus: dict) -> None:
    schema, nom = _branche(schema, racine)
    lieu = nom or lieu
    if isinstance(valeur, dict):
        for propriete, sous_valeur in valeur.items():
            sous_schema = schema.get("properties", {}).get(propriete)
            if sous_schema is None:
                continue
            if _nullable(_resoudre(sous_schema, racine)[0]):
                vus[(lieu, propriete)].add("null" if sous_valeur is None else "valeur")
            if sous_valeur is not None:
                _suivre(sous_schema, sous_valeur, racine, f"{lieu}.{propriete}", vus)
    elif isinstance(valeur, list) and "items" in schema:
        for element in valeur:
            _suivre(schema["items"], element, racine, lieu, vus)


# --- The run -----------------------------------------------------------------------------------------


def _lire(parcours: Parcours, schema, client: Client, role: str, chemin: str, url: str) -> dict | None:
    reponse = client.get(url)
    parcours.nb_reponses += 1
    operation = schema[chemin]["GET"]
    try:
        operation.validate_response(_reponse(reponse, url))
    except (Failure, FailureGroup) as exc:
        for echec in getattr(exc, "exceptions", [exc]):
            parcours.violations.append(f"{role} GET {url} -> {reponse.status_code}: {echec.title}\n{echec.message}")
    if reponse.status_code != 200:
        return None
    parcours.operations_lues.add(f"GET {chemin}")
    if not reponse["Content-Type"].startswith("application/json"):
        return None  # a file (the XLSX template): validated above against its media type, no fields to follow
    corps = reponse.json()
    reponses = parcours.schema["paths"][chemin]["get"]["responses"]["200"]["content"]
    _suivre(reponses["application/json"]["schema"], corps, parcours.schema, chemin, parcours.vus)
    return corps


def _toutes_les_pages(parcours, schema, client, role, chemin) -> list[dict]:
    lignes, url = [], f"{chemin}?page_size={PAGE}"
    while url:
        corps = _lire(parcours, schema, client, role, chemin, url)
        if corps is None:
            return lignes
        lignes += corps["results"]
        url = corps["next"] and corps["next"].removeprefix("http://testserver")
    # Pages of one row, so that `next` and `previous` are seen filled: the first two, or a middle one.
    for page in [2] if len(lignes) > 2 else [1, 2][: len(lignes)] if len(lignes) == 2 else []:
        _lire(parcours, schema, client, role, chemin, f"{chemin}?page_size=1&page={page}")
    parametres = parcours.schema["paths"][chemin]["get"].get("parameters", [])
    if any(p.get("name") == "updated_since" for p in parametres):
        # The sync's keyset pages (count null), by pages of one row where there are two: `next` is a cursor.
        url = f"{chemin}?updated_since=2000-01-01&page_size={1 if len(lignes) > 1 else PAGE}"
        for _ in range(3):
            corps = url and _lire(parcours, schema, client, role, chemin, url)
            url = corps and corps["next"] and corps["next"].removeprefix("http://testserver")
    return lignes


def _parcourir(parcours: Parcours, clients: dict[str, Client]) -> None:
    schema = schemathesis.openapi.from_dict(parcours.schema)
    chemins_get = [chemin for chemin, ops in parcours.schema["paths"].items() if "get" in ops]
    listes = [chemin for chemin in chemins_get if not PATH_PARAM.search(chemin)]
    for role, client in clients.items():
        for liste in listes:
            lignes = _toutes_les_pages(parcours, schema, client, role, liste)
            for filtres in FILTRES.get(liste, []):
                _lire(parcours, schema, client, role, liste, f"{liste}{filtres}")
            # Every GET under this list that takes one identifier: the detail and its sub-resources.
            for chemin in chemins_get:
                reste = chemin.removeprefix(liste)
                parametres = PATH_PARAM.findall(reste)
                if reste == chemin or len(parametres) != 1 or not reste.startswith("{"):
                    continue
                for ligne in lignes:
                    url = chemin.replace(f"{{{parametres[0]}}}", str(ligne[parametres[0]]))
                    corps = _lire(parcours, schema, client, role, chemin, url)
                    if corps is not None and "results" in corps and corps["count"] > 2:
                        _lire(parcours, schema, client, role, chemin, f"{url}?page_size=1&page=2")


def _clients() -> dict[str, Client]:
    clients = {"anonyme": Client()}
    for role in ROLES[1:]:
        utilisateur = compte(role, f"conformite-{role}")
        # A token never used and a revoked one beside the one in use: the token list's nullable dates.
        jeton_create(user=utilisateur, nom="jamais utilisé")
        jeton_revoke(jeton=jeton_create(user=utilisateur, nom="révoqué")[0])
        clients[role] = Client(HTTP_AUTHORIZATION=f"Token {jeton_create(user=utilisateur, nom='conformité')[1]}")
    return clients


def _conventions_completes_et_a_completer() -> None:
    """A project of its own (whatever the demo commits elsewhere) with two conventions: one with every
    published field, an establishment, an amendment and a tranche paid in part; one with none of them
    yet. An equity commitment paid in part beside them: a ledger entry with no convention nor tranche.
    The project has its life cycle's dates, which the fiches and the demo leave empty."""
    projet = ProjetFactory(
        statut="en_cours", date_debut=datetime.date(2020, 1, 1), date_fin=datetime.date(2030, 12, 31)
    )
    lead = projet.chef_de_file
    Organisation.objects.filter(pk=lead.pk).update(siren="410000004")
    etablissement = Etablissement.objects.create(organisation=lead, siret="41000000400011", libelle="Siège")
    complete = financements.convention_create(
        projet=projet, beneficiaire=lead, objet="Conformité : convention complète", reference="CONFORMITE-C1",
        date_signature=datetime.date(2024, 1, 15), montant=Decimal("3000.00"), by=None, etablissement=etablissement,
        nature_aide=Convention.NatureAide.NUMERAIRE, conditions_versement=Convention.ConditionsVersement.ECHELONNE,
        notification_ue=True, regime_aide="SA.40405", pourcentage_subvention=Decimal("40.00"),
        tranches=[
            {"date_prevue": datetime.date(2024, 2, 1), "montant": Decimal("1000.00"), "condition": "À la signature"},
            {"date_prevue": datetime.date(2030, 6, 30), "montant": Decimal("2000.00"), "condition": "Solde"},
        ],
    )  # fmt: skip
    financements.avenant_create(
        convention=complete, variation=Decimal("-500.00"), date=datetime.date(2024, 6, 1),
        reference="CONFORMITE-AV1", motif="Une action abandonnée.", by=None,
    )  # fmt: skip
    financements.tranche_pay(
        tranche=complete.tranches.get(numero=1), montant=Decimal("400.00"), date=datetime.date(2024, 3, 1),
        reference="CONFORMITE-V1", by=None,
    )  # fmt: skip
    financements.convention_create(
        projet=projet, beneficiaire=lead, objet="Conformité : convention à compléter", reference="CONFORMITE-C2",
        date_signature=datetime.date(2024, 3, 1), montant=Decimal("1000.00"), by=None,
        tranches=[{"date_prevue": datetime.date(2024, 3, 1), "montant": Decimal("1000.00"), "condition": "Unique"}],
    )  # fmt: skip
    engagement = financements.engagement_create(
        projet=projet, enveloppe=Enveloppe.objects.get(code=Enveloppe.Code.INVESTISSEMENT), montant=Decimal("1000.00"),
        date=datetime.date(2024, 1, 15), reference="CONFORMITE-E1", motif="Apport en fonds propres.", by=None,
    )  # fmt: skip
    financements.versement_create(
        engagement=engagement, montant=Decimal("100.00"), date=datetime.date(2024, 2, 1),
        reference="CONFORMITE-V2", by=None,
    )  # fmt: skip


def _lignes_que_la_demo_laisse_vides() -> None:
    """What neither the press kit nor the demo writes: a project entered in the admin without its page
    in the press kit nor its amounts yet, and an indicator, with a dated baseline, not evaluated yet;
    conventions with and without their published fields."""
    _conventions_completes_et_a_completer()
    projet = ProjetFactory(page_dossier=None)
    projet.allocations.all().delete()
    Indicateur.objects.create(
        code="conformite-sans-evaluation", impact=projet.impacts.get(), libelle="Tonnes compostées", unite="t",
        sens=Indicateur.Sens.HAUSSE, valeur_reference=10, date_reference=datetime.date(2019, 6, 30),
        valeur_cible=100, echeance=datetime.date(2030, 12, 31),
    )  # fmt: skip


@pytest.fixture(scope="module")
def parcours(django_db_setup, django_db_blocker) -> Parcours:
    """One run for the module (it is long), in a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        clients = _clients()
        parcours = Parcours(schema=Client().get("/api/schema/?format=json").json())
        _parcourir(parcours, clients)  # a fresh install: laureates only
        demo_generate(auteur=get_user_model().objects.get(username="conformite-charge"))
        _lignes_que_la_demo_laisse_vides()
        _parcourir(parcours, clients)  # a programme in progress
        yield parcours
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_get_response_of_every_role_matches_the_served_schema(parcours):
    assert parcours.nb_reponses > 1000
    assert not parcours.violations, f"{len(parcours.violations)} écart(s) :\n" + "\n\n".join(parcours.violations[:20])


@pytest.mark.django_db
def test_every_get_operation_of_the_schema_was_read(parcours):
    attendues = {f"GET {chemin}" for chemin, ops in parcours.schema["paths"].items() if "get" in ops}
    assert attendues - parcours.operations_lues == set()


@pytest.mark.django_db
def test_every_nullable_field_was_seen_both_null_and_filled(parcours):
    nullables = nullables_du_schema(parcours.schema)
    assert ("Engagement", "engagement_origine") in nullables  # the schema says what the rows show

    incomplets = {champ: sorted(parcours.vus.get(champ, set())) for champ in nullables}
    assert {champ: vus for champ, vus in incomplets.items() if vus != ["null", "valeur"]} == {}


def test_the_validator_flags_a_body_that_breaks_the_schema():
    """The check can fail: a null where the schema wants a string, a missing required field."""
    racine = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/x/": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/X"}}},
                        }
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "X": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}, "b": {"type": "string", "nullable": True}},
                    "required": ["a", "b"],
                }
            }
        },
    }
    operation = schemathesis.openapi.from_dict(racine)["/x/"]["GET"]

    class Faux:
        status_code = 200

        def __init__(self, contenu: bytes):
            self.content = contenu

        def items(self):
            return [("Content-Type", "application/json")]

    operation.validate_response(_reponse(Faux(b'{"a": "oui", "b": null}'), "/x/"))
    for corps in (b'{"a": null, "b": null}', b'{"b": "non"}'):
        with pytest.raises((Failure, FailureGroup)):
            operation.validate_response(_reponse(Faux(corps), "/x/"))
    vus: dict = defaultdict(set)
    _suivre(racine["paths"]["/x/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
            {"a": "oui", "b": None}, racine, "/x/", vus)  # fmt: skip
    assert nullables_du_schema(racine) == {("X", "b")} and vus == {("X", "b"): {"null"}}


@pytest.mark.django_db
def test_every_field_of_a_response_is_required_since_every_response_carries_it(parcours):
    racine = parcours.schema
    optionnels = {
        (nom, propriete)
        for nom in _composants_des_reponses(racine)
        for composant in [racine["components"]["schemas"][nom]]
        for propriete in composant.get("properties", {})
        if propriete not in composant.get("required", [])
    }
    assert optionnels == set()
