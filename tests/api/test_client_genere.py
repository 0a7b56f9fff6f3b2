"""A partner's developer generates a client from /api/schema/ with openapi-python-client and uses it.

The portal runs on a live server; the client is generated from the schema that server serves, imported, and
drives the programme alone: every request goes through the generated functions and models. The tests read
the database to compute what the answers must be, and write to it only what the API cannot: tokens, and
ledger entries without an author (as loaded history has).
"""

import dataclasses
import datetime
import importlib
import io
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import yaml
from openapi_python_client.strings import snake_case
from openpyxl import load_workbook

from financements import services as financements
from financements.models import Enveloppe
from indicateurs import services as indicateurs
from indicateurs.models import Indicateur, Mesure
from laureats.models import Projet
from tests.factories import compte, jeton

pytestmark = [pytest.mark.client_genere, pytest.mark.usefixtures("programme_charge")]

GENERATEUR = [sys.executable, "-m", "openapi_python_client"]
CONFIG = Path(__file__).with_name("client_genere.yaml")
PAQUET = yaml.safe_load(CONFIG.read_text())["package_name_override"]
METHODES = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
INDICATEUR = "biovallee-production-energie-locale"  # Association Biovallée, the partner's organisation, leads it
ENGAGE = Decimal("250000.00")
VERSE = Decimal("100000.00")
LIBERE = Decimal("50000.00")  # released from the commitment
ANNULE = Decimal("2500.50")  # reversed from the payment


@dataclasses.dataclass
class Generation:
    """One run of the generator on a schema document, and the package it wrote, imported."""

    document: dict
    sortie: str
    code_retour: int
    dossier: Path
    paquet: ModuleType
    operations: dict[str, ModuleType]

    def op(self, operation_id: str) -> ModuleType:
        """The generated module of an operation, by its operationId in the schema."""
        nom = snake_case(operation_id)
        assert nom in self.operations, f"{operation_id} manque au client généré :\n{self.sortie}"
        return self.operations[nom]

    def client(self, base_url: str, user=None):
        """The generated client, anonymous or with a fresh token of `user`; an undocumented status raises."""
        if user is None:
            return self.paquet.Client(base_url=base_url, raise_on_unexpected_status=True)
        return self.paquet.AuthenticatedClient(
            base_url=base_url, token=jeton(user), prefix="Token", raise_on_unexpected_status=True
        )


def _oublier_paquet() -> None:
    for nom in [nom for nom in sys.modules if nom == PAQUET or nom.startswith(f"{PAQUET}.")]:
        del sys.modules[nom]


def _generer(texte: bytes, dossier: Path) -> Generation:
    schema = dossier / "schema.yaml"
    schema.write_bytes(texte)
    resultat = subprocess.run(
        [
            *GENERATEUR, "generate", "--path", schema, "--output-path", dossier / PAQUET,
            "--config", CONFIG, "--meta", "none", "--fail-on-warning",
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    _oublier_paquet()
    sys.path.insert(0, str(dossier))
    try:
        paquet = importlib.import_module(PAQUET)
        operations = {
            module.stem: importlib.import_module(f"{PAQUET}.api.{module.parent.name}.{module.stem}")
            for module in sorted((dossier / PAQUET / "api").glob("*/*.py"))
            if module.stem != "__init__"
        }
    finally:
        sys.path.remove(str(dossier))
    return Generation(
        document=yaml.safe_load(texte),
        sortie=resultat.stdout + resultat.stderr,
        code_retour=resultat.returncode,
        dossier=dossier,
        paquet=paquet,
        operations=operations,
    )


@pytest.fixture(scope="module")
def generations() -> Iterator[dict[bytes, Generation]]:
    """Generations by schema document: the tests of this module share one per schema served."""
    yield {}
    _oublier_paquet()


@pytest.fixture
def genere(live_server, generations, tmp_path_factory) -> Generation:
    """The client generated from the schema the live portal serves now, with the programme loaded."""
    reponse = httpx.get(f"{live_server.url}/api/schema/", timeout=60)
    assert reponse.status_code == 200, reponse.text
    if reponse.content not in generations:
        generations[reponse.content] = _generer(reponse.content, tmp_path_factory.mktemp("client_genere"))
    return generations[reponse.content]


def _operations_du_schema(document: dict) -> set[str]:
    return {
        snake_case(operation["operationId"])
        for chemin in document["paths"].values()
        for methode, operation in chemin.items()
        if methode in METHODES
    }


def test_the_generator_warns_of_nothing_and_writes_every_operation_of_the_schema(genere):
    assert genere.code_retour == 0, genere.sortie
    assert "warning" not in genere.sortie.lower(), genere.sortie
    attendues = _operations_du_schema(genere.document)
    assert len(attendues) >= len(genere.document["paths"])  # one operation at least per path
    assert set(genere.operations) == attendues
    for nom, module in genere.operations.items():
        assert callable(getattr(module, "sync_detailed", None)), nom


def test_a_partner_and_an_officer_run_the_programme_through_the_generated_client(genere, live_server):
    api, modeles = genere, genere.paquet.models
    investissement = modeles.CodeEnveloppeEnum.INVESTISSEMENT
    public = api.client(live_server.url)
    partenaire = api.client(live_server.url, compte("partenaire"))
    charge = api.client(live_server.url, compte("charge"))

    # The public lists the projects of a region and a theme, then reads one of them.
    biovallee = Projet.objects.select_related("region").get(slug="biovallee")
    thematique = biovallee.thematiques.order_by("slug").first().slug
    attendus = set(
        Projet.objects.filter(region=biovallee.region, thematiques__slug=thematique).values_list("slug", flat=True)
    )
    region = biovallee.region.code
    reponse = api.op("v1_projets_list").sync_detailed(client=public, region=region, thematique=thematique)
    assert reponse.status_code == HTTPStatus.OK, reponse.content
    assert {projet.slug for projet in reponse.parsed.results} == attendus
    assert reponse.parsed.count == len(attendus) < Projet.objects.count()
    reponse = api.op("v1_projets_retrieve").sync_detailed(client=public, slug=biovallee.slug)
    assert reponse.status_code == HTTPStatus.OK, reponse.content
    fiche = reponse.parsed
    assert (fiche.titre, fiche.region.code) == (biovallee.titre, biovallee.region.code)
    assert thematique in {entree.slug for entree in fiche.thematiques_normalisees}

    # The partner submits a value for an indicator of its project.
    mesure_saisie = modeles.MesureCreate(
        indicateur=INDICATEUR, date=datetime.date(2024, 12, 31), valeur="412.5", source="Observatoire régional"
    )
    reponse = api.op("v1_mesures_create").sync_detailed(client=partenaire, body=mesure_saisie)
    assert reponse.status_code == HTTPStatus.CREATED, reponse.content
    mesure = reponse.parsed
    assert (mesure.indicateur, Decimal(mesure.valeur), mesure.statut) == (
        INDICATEUR,
        Decimal(mesure_saisie.valeur),
        Mesure.Statut.SOUMISE,
    )

    # An officer validates it; the partner reads it validated.
    reponse = api.op("v1_mesures_valider_create").sync_detailed(
        client=charge, uid=mesure.uid, body=modeles.Decision(commentaire="Conforme au relevé de l'observatoire.")
    )
    assert reponse.status_code == HTTPStatus.OK, reponse.content
    assert reponse.parsed.statut == Mesure.Statut.VALIDEE
    reponse = api.op("v1_mesures_retrieve").sync_detailed(client=partenaire, uid=mesure.uid)
    assert (reponse.status_code, reponse.parsed.statut) == (HTTPStatus.OK, Mesure.Statut.VALIDEE)

    # The officer commits equity to the project, pays part of it, then releases and reverses part of each;
    # the envelope's figures and the region's table move by as much.
    avant = api.op("v1_enveloppes_retrieve").sync_detailed(client=public, code=investissement).parsed
    region_avant = _chiffres_du_projet(api, charge, biovallee, "investissement")
    reponse = api.op("v1_engagements_create").sync_detailed(
        client=charge,
        body=modeles.EngagementInput(
            projet=biovallee.slug, enveloppe=investissement, montant=f"{ENGAGE}", date=datetime.date(2024, 3, 1),
            reference="CLIENT-GENERE-E1", motif="Prise de participation, premier apport.",
        ),
    )  # fmt: skip
    assert reponse.status_code == HTTPStatus.CREATED, reponse.content
    engagement = reponse.parsed
    assert (engagement.projet, Decimal(engagement.montant)) == (biovallee.slug, ENGAGE)
    reponse = api.op("v1_versements_create").sync_detailed(
        client=charge,
        body=modeles.VersementInput(
            engagement=str(engagement.uid), montant=f"{VERSE}", date=datetime.date(2024, 4, 1),
            reference="CLIENT-GENERE-V1",
        ),
    )  # fmt: skip
    assert reponse.status_code == HTTPStatus.CREATED, reponse.content
    versement = reponse.parsed
    assert (str(versement.engagement), Decimal(versement.montant)) == (str(engagement.uid), VERSE)
    reponse = api.op("v1_engagements_desengagements_create").sync_detailed(
        client=charge,
        uid=engagement.uid,
        body=modeles.MouvementInput(
            montant=f"{LIBERE}", date=datetime.date(2024, 5, 1), reference="CLIENT-GENERE-D1",
            motif="Une action du projet est abandonnée.",
        ),
    )  # fmt: skip
    assert reponse.status_code == HTTPStatus.CREATED, reponse.content
    assert str(reponse.parsed.engagement_origine) == str(engagement.uid)
    reponse = api.op("v1_versements_annulations_create").sync_detailed(
        client=charge,
        uid=versement.uid,
        body=modeles.MouvementInput(
            montant=f"{ANNULE}", date=datetime.date(2024, 6, 1), reference="CLIENT-GENERE-A1",
            motif="Trop-perçu remboursé.",
        ),
    )  # fmt: skip
    assert reponse.status_code == HTTPStatus.CREATED, reponse.content
    assert str(reponse.parsed.versement_origine) == str(versement.uid)

    reponse = api.op("v1_enveloppes_list").sync_detailed(client=public)
    assert reponse.status_code == HTTPStatus.OK, reponse.content
    (apres,) = [enveloppe for enveloppe in reponse.parsed.results if enveloppe.code == investissement]
    engage, verse = ENGAGE - LIBERE, VERSE - ANNULE
    assert Decimal(apres.engage) == Decimal(avant.engage) + engage
    assert Decimal(apres.verse) == Decimal(avant.verse) + verse
    assert Decimal(apres.reste_a_engager) == Decimal(avant.reste_a_engager) - engage
    assert Decimal(apres.reste_a_verser) == Decimal(avant.reste_a_verser) + engage - verse
    region_apres = _chiffres_du_projet(api, charge, biovallee, "investissement")
    assert region_apres == (region_avant[0] + engage, region_avant[1] + verse)

    # The officer records a subsidy convention with its schedule and pays its first tranche; the region's
    # subsidy figures move by as much.
    region_avant = _chiffres_du_projet(api, charge, biovallee, "subvention")
    reponse = api.op("v1_conventions_create").sync_detailed(
        client=charge,
        body=modeles.ConventionInput(
            projet=biovallee.slug, beneficiaire=biovallee.chef_de_file.slug, objet="Plateforme de compostage.",
            date_signature=datetime.date(2024, 3, 1), reference="CLIENT-GENERE-C1", montant=f"{ENGAGE}",
            conditions_versement=modeles.ConditionsVersementEnum.ECHELONNE,
            tranches=[
                modeles.TrancheInput(date_prevue=datetime.date(2024, 3, 1), montant=f"{VERSE}", condition="Signature"),
                modeles.TrancheInput(
                    date_prevue=datetime.date(2030, 3, 1), montant=f"{ENGAGE - VERSE}", condition="Justificatifs"
                ),
            ],
        ),
    )  # fmt: skip
    assert reponse.status_code == HTTPStatus.CREATED, reponse.content
    convention = reponse.parsed
    assert (Decimal(convention.montant), len(convention.tranches)) == (ENGAGE, 2)
    reponse = api.op("v1_tranches_versements_create").sync_detailed(
        client=charge,
        id=convention.tranches[0].id,
        body=modeles.TrancheVersementInput(
            montant=f"{VERSE}", date=datetime.date(2024, 4, 1), reference="CLIENT-GENERE-T1"
        ),
    )
    assert reponse.status_code == HTTPStatus.CREATED, reponse.content
    assert [(v.tranche, Decimal(v.montant)) for v in reponse.parsed] == [(convention.tranches[0].id, VERSE)]
    assert _chiffres_du_projet(api, charge, biovallee, "subvention") == (
        region_avant[0] + ENGAGE,
        region_avant[1] + VERSE,
    )

    # The partner reads its project's ledger: the entries just written, as the officer wrote them.
    reponse = api.op("v1_engagements_list").sync_detailed(client=partenaire, projet=biovallee.slug)
    assert reponse.status_code == HTTPStatus.OK, reponse.content
    assert engagement.uid in {ligne.uid for ligne in reponse.parsed.results}
    reponse = api.op("v1_versements_list").sync_detailed(client=partenaire, projet=biovallee.slug)
    assert reponse.status_code == HTTPStatus.OK, reponse.content
    assert versement.uid in {ligne.uid for ligne in reponse.parsed.results}
    reponse = api.op("v1_conventions_list").sync_detailed(client=partenaire, projet=biovallee.slug)
    assert reponse.status_code == HTTPStatus.OK, reponse.content
    (lue,) = [ligne for ligne in reponse.parsed.results if ligne.uid == convention.uid]
    assert [(Decimal(t.verse), t.en_retard) for t in lue.tranches] == [(VERSE, False), (Decimal("0.00"), False)]


def _chiffres_du_projet(api: Generation, client, projet: Projet, code: str) -> tuple[Decimal, Decimal]:
    """(committed, paid) in an envelope for a project, read in its region's table."""
    reponse = api.op("v1_regions_financements_retrieve").sync_detailed(client=client, code=projet.region.code)
    assert reponse.status_code == HTTPStatus.OK, reponse.content
    (ligne,) = [ligne for ligne in reponse.parsed.projets if ligne.slug == projet.slug]
    (chiffres,) = [chiffres for chiffres in ligne.enveloppes if chiffres.code == code]
    return Decimal(chiffres.engage), Decimal(chiffres.verse)


def _probleme(reponse, statut: HTTPStatus):
    """The parsed error body: the generated model of the documented error, with its status."""
    assert reponse.status_code == statut, reponse.content
    probleme = reponse.parsed
    assert probleme is not None, f"corps d'erreur {statut} non décrit : {reponse.content!r}"
    assert probleme.status == statut
    return probleme


def test_the_generated_client_reads_the_errors_with_their_messages(genere, live_server):
    api, modeles = genere, genere.paquet.models
    partenaire = api.client(live_server.url, compte("partenaire"))
    charge = api.client(live_server.url, compte("charge"))

    # A value that is not a number: a 400 naming the field.
    saisie = modeles.MesureCreate(
        indicateur=INDICATEUR, date=datetime.date(2024, 12, 31), valeur="douze", source="Observatoire régional"
    )
    probleme = _probleme(
        api.op("v1_mesures_create").sync_detailed(client=partenaire, body=saisie), HTTPStatus.BAD_REQUEST
    )
    assert list(probleme.errors.additional_properties) == ["valeur"]
    assert probleme.errors["valeur"], probleme

    # A rejection without a reason: a 400 on the comment; with one, the partner reads it.
    saisie.valeur = "412.5"
    mesure = api.op("v1_mesures_create").sync_detailed(client=partenaire, body=saisie).parsed
    rejeter = api.op("v1_mesures_rejeter_create")
    probleme = _probleme(
        rejeter.sync_detailed(client=charge, uid=mesure.uid, body=modeles.Decision(commentaire="")),
        HTTPStatus.BAD_REQUEST,
    )
    assert list(probleme.errors.additional_properties) == ["commentaire"]
    motif = "La source ne couvre pas l'année 2024."
    reponse = rejeter.sync_detailed(client=charge, uid=mesure.uid, body=modeles.Decision(commentaire=motif))
    assert (reponse.status_code, reponse.parsed.statut) == (HTTPStatus.OK, Mesure.Statut.REJETEE)
    lue = api.op("v1_mesures_retrieve").sync_detailed(client=partenaire, uid=mesure.uid).parsed
    assert (lue.statut, lue.commentaire) == (Mesure.Statut.REJETEE, motif)

    # A measure nobody declared: a 404. A partner deciding on a measure: a 403.
    inconnue = uuid.uuid4()
    _probleme(api.op("v1_mesures_retrieve").sync_detailed(client=partenaire, uid=inconnue), HTTPStatus.NOT_FOUND)
    _probleme(
        api.op("v1_mesures_valider_create").sync_detailed(
            client=partenaire, uid=mesure.uid, body=modeles.Decision(commentaire="")
        ),
        HTTPStatus.FORBIDDEN,
    )

    # Paying more than was committed: a 409 that says how much may still be paid.
    reponse = api.op("v1_engagements_create").sync_detailed(
        client=charge,
        body=modeles.EngagementInput(
            projet="biovallee", enveloppe=modeles.CodeEnveloppeEnum.INVESTISSEMENT, montant=f"{ENGAGE}",
            date=datetime.date(2024, 3, 1), reference="CLIENT-GENERE-E2", motif="Prise de participation.",
        ),
    )  # fmt: skip
    assert reponse.status_code == HTTPStatus.CREATED, reponse.content
    trop = ENGAGE + Decimal("0.01")
    reponse = api.op("v1_versements_create").sync_detailed(
        client=charge,
        body=modeles.VersementInput(
            engagement=str(reponse.parsed.uid), montant=f"{trop}", date=datetime.date(2024, 4, 1),
            reference="CLIENT-GENERE-V2",
        ),
    )  # fmt: skip
    probleme = _probleme(reponse, HTTPStatus.CONFLICT)
    assert Decimal(probleme.reste_disponible) == ENGAGE

    # The partner names a token for a script and revokes it: the revoked token is a 401.
    reponse = api.op("v1_jetons_create").sync_detailed(client=partenaire, body=modeles.JetonInput(nom="script-nuit"))
    assert reponse.status_code == HTTPStatus.CREATED, reponse.content
    cree = reponse.parsed
    script = api.paquet.AuthenticatedClient(
        base_url=live_server.url, token=cree.jeton, prefix="Token", raise_on_unexpected_status=True
    )
    jetons = api.op("v1_jetons_list").sync_detailed(client=script).parsed
    assert "script-nuit" in {jeton.nom for jeton in jetons.results}
    reponse = api.op("v1_jetons_destroy").sync_detailed(client=partenaire, prefixe=cree.prefixe)
    assert reponse.status_code == HTTPStatus.NO_CONTENT, reponse.content
    _probleme(api.op("v1_jetons_list").sync_detailed(client=script), HTTPStatus.UNAUTHORIZED)


def _ecritures_de_chaque_sorte(charge) -> None:
    """Ledger entries of each nature and measures of each status, with and without an author (a loaded history
    has none): every nullable field of the answers takes both values."""
    investissement, biovallee = Enveloppe.objects.get(code="investissement"), Projet.objects.get(slug="biovallee")
    engagement = financements.engagement_create(
        projet=biovallee, enveloppe=investissement, montant=ENGAGE, date=datetime.date(2024, 3, 1),
        reference="CLIENT-GENERE-E3", motif="Prise de participation.", by=charge,
    )  # fmt: skip
    convention = financements.convention_create(
        projet=biovallee, beneficiaire=biovallee.chef_de_file, objet="Convention.", reference="CLIENT-GENERE-C3",
        date_signature=datetime.date(2024, 3, 1), montant=ENGAGE, by=charge,
        tranches=[{"date_prevue": datetime.date(2024, 3, 1), "montant": ENGAGE, "condition": "Signature"}],
    )  # fmt: skip
    financements.avenant_create(
        convention=convention, variation=-LIBERE, date=datetime.date(2024, 5, 1), reference="CLIENT-GENERE-AV3",
        motif="Action abandonnée.", by=None,
    )  # fmt: skip
    financements.tranche_pay(
        tranche=convention.tranches.get(), montant=VERSE, date=datetime.date(2024, 6, 1),
        reference="CLIENT-GENERE-T3", by=None,
    )  # fmt: skip
    financements.desengagement_create(
        engagement=engagement, montant=ENGAGE - VERSE, date=datetime.date(2024, 6, 1),
        reference="CLIENT-GENERE-D3", motif="Tranche abandonnée.", by=None,
    )  # fmt: skip
    versement = financements.versement_create(
        engagement=engagement, montant=VERSE, date=datetime.date(2024, 4, 1), reference="CLIENT-GENERE-V3", by=None
    )
    financements.versement_cancel(
        versement=versement, montant=VERSE / 2, date=datetime.date(2024, 5, 1),
        reference="CLIENT-GENERE-A3", motif="Trop-perçu.", by=charge,
    )  # fmt: skip
    indicateur = Indicateur.objects.get(code=INDICATEUR)
    partenaire = compte("partenaire")
    for jour, decision in [(29, None), (30, indicateurs.mesure_reject), (31, indicateurs.mesure_validate)]:
        mesure = indicateurs.mesure_submit(
            indicateur=indicateur, date=datetime.date(2024, 12, jour), valeur=Decimal("400") + jour,
            source="Observatoire régional", by=partenaire,
        )  # fmt: skip
        if decision is not None:
            decision(mesure=mesure, by=charge, commentaire="Relevé vérifié.")
    indicateurs.evaluation_run(date=datetime.date(2025, 1, 1))


def _lire_tout(genere: Generation, client, premiers: dict[str, dict]) -> dict[str, int | str]:
    """Every GET operation of the schema once, collections first: its status, or why the client could not read it.

    `premiers` holds the first row of each collection read so far, whose identifiers the details take; a role
    refused a list still reads the details of the rows a role before it could list.
    """
    lectures = sorted(
        ((chemin, operations["get"]["operationId"]) for chemin, operations in genere.document["paths"].items()
         if "get" in operations),
        key=lambda lecture: (lecture[0].count("{"), lecture[0]),
    )  # fmt: skip
    resultats: dict[str, int | str] = {}
    for chemin, operation_id in lectures:
        parametres = re.findall(r"{(\w+)}", chemin)
        premier = premiers.get(chemin.split("{")[0], {})
        if not all(parametre in premier for parametre in parametres):
            resultats[operation_id] = "aucune ligne dont lire l'identifiant"
            continue
        try:
            reponse = genere.op(operation_id).sync_detailed(client=client, **{p: premier[p] for p in parametres})
        except Exception as exc:  # an undocumented status, or a body the generated models cannot read
            resultats[operation_id] = f"{type(exc).__name__}: {exc}"[:300]
            continue
        if reponse.parsed is None:
            resultats[operation_id] = f"{reponse.status_code} sans corps décrit : {reponse.content[:200]!r}"
            continue
        resultats[operation_id] = reponse.status_code
        lignes = getattr(reponse.parsed, "results", None)
        if reponse.status_code == HTTPStatus.OK and not parametres and lignes and chemin not in premiers:
            premiers[chemin] = lignes[0].to_dict()
    return resultats


def test_every_read_operation_parses_through_the_generated_client_for_every_role(genere, live_server):
    charge = compte("charge")
    _ecritures_de_chaque_sorte(charge)
    # The officer first: the rows it lists give the identifiers every role then asks for.
    utilisateurs = {"charge": charge, **{role: compte(role) for role in ("directeur", "partenaire")}, "anonyme": None}
    premiers: dict[str, dict] = {}

    lus = {
        role: _lire_tout(genere, genere.client(live_server.url, user), premiers) for role, user in utilisateurs.items()
    }

    illisibles = [
        f"{role} {op} : {res}" for role, par_op in lus.items() for op, res in par_op.items() if isinstance(res, str)
    ]
    assert not illisibles, "\n".join(illisibles)
    # An officer reads everything; the others meet the refusals of the permission matrix, read as problems.
    assert set(lus["charge"].values()) == {HTTPStatus.OK}
    assert lus["anonyme"]["v1_engagements_list"] == HTTPStatus.UNAUTHORIZED
    assert lus["partenaire"]["v1_regions_financements_retrieve"] == HTTPStatus.FORBIDDEN


def test_a_partner_fills_and_imports_the_spreadsheet_through_the_generated_client(genere, live_server):
    api, modeles = genere, genere.paquet.models
    types = importlib.import_module(f"{PAQUET}.types")
    partenaire = api.client(live_server.url, compte("partenaire"))

    # The template comes as a file; the partner fills the 2024 row of its indicator.
    reponse = api.op("v1_mesures_modele_retrieve").sync_detailed(client=partenaire)
    assert reponse.status_code == HTTPStatus.OK, reponse.content
    classeur = load_workbook(reponse.parsed.payload)
    feuille = classeur["Mesures"]
    numero = next(
        r
        for r in range(2, feuille.max_row + 1)
        if (feuille.cell(r, 2).value, feuille.cell(r, 5).value) == (INDICATEUR, "2024")
    )
    feuille.cell(numero, 12, "412,5")
    feuille.cell(numero, 14, "Observatoire régional")
    rempli = io.BytesIO()
    classeur.save(rempli)

    def importer():
        fichier = types.File(payload=io.BytesIO(rempli.getvalue()), file_name="mesures.xlsx")
        return api.op("v1_mesures_import_create").sync_detailed(
            client=partenaire, body=modeles.ImportMesures(fichier=fichier)
        )

    reponse = importer()
    assert reponse.status_code == HTTPStatus.CREATED, reponse.content
    assert (reponse.parsed.nb_creees, reponse.parsed.nb_corrigees) == (1, 0)
    mesure = Mesure.objects.get(uid=reponse.parsed.creees[0])
    assert (mesure.indicateur.code, mesure.valeur, mesure.date) == (
        INDICATEUR,
        Decimal("412.5"),
        datetime.date(2024, 12, 31),
    )

    # The same file again: the period holds that value now; the refusal names the row and the column.
    probleme = _probleme(importer(), HTTPStatus.BAD_REQUEST)
    assert list(probleme.errors.additional_properties) == [f"lignes.{numero}.periode"]
    (ligne,) = probleme.lignes
    assert (ligne.ligne, ligne.colonne) == (numero, "période") and probleme.nb_erreurs == 1
