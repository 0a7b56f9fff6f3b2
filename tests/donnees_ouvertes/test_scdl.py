"""SCDL « subventions » 2.1.1 open data: the files pass the official schema, hold every complete
subsidy convention and nothing else, and their amounts are the ledger's.

The schema is the official file, copied unchanged into tests/standards/ (CI's clean clone has no ../shared):
frictionless validates the CSV and the JSON rows against it. frictionless does not run the schema's
`custom_checks` (they are Validata's): the two kinds are implemented below as Validata defines them, and
run on the same rows.
"""

import csv
import datetime
import importlib
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date
from django.utils.text import slugify
from frictionless import Dialect, Resource, Schema, formats

from config.settings import base
from financements import services
from financements.models import Convention, Enveloppe
from laureats.models import Etablissement, Organisation, Partenariat, Projet
from laureats.services import partenariat_add
from portail import donnees_ouvertes
from portail.donnees_ouvertes import CHAMPS, csv_texte, json_texte, publication
from tests.factories import compte

pytestmark = pytest.mark.django_db

RACINE = Path(__file__).resolve().parents[2]
SCHEMA = RACINE / "tests" / "standards" / "scdl-subventions-2.1.1.json"
EXEMPLE = RACINE / "tests" / "standards" / "scdl-exemple-valide.csv"
# The project's reference copies (../shared/standards beside the repository, or above a worktree); CI's clone
# may not have them: then only the copies here are read.
ORIGINAUX = next((p / "shared" / "standards" for p in RACINE.parents if (p / "shared" / "standards").is_dir()), None)
JOUR = datetime.date(2024, 3, 1)


# --- The schema and its custom checks --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def descripteur() -> dict:
    """The official schema; a missing file fails the tests (never skips them)."""
    texte = SCHEMA.read_bytes()
    if ORIGINAUX is not None:
        for copie in (SCHEMA, EXEMPLE):
            assert copie.read_bytes() == (ORIGINAUX / copie.name).read_bytes(), f"{copie} n'est plus l'original"
    return json.loads(texte)


def _luhn(chiffres: str) -> bool:
    total = 0
    for rang, chiffre in enumerate(reversed(chiffres)):
        valeur = int(chiffre) * (2 if rang % 2 else 1)
        total += valeur - 9 if valeur > 9 else valeur
    return total % 10 == 0


def siret_scdl(valeur: str) -> bool:
    """`french-siret-value` as Validata runs it (python-stdnum's fr.siret, written out here so that the test does
    not share the exporter's code): 14 digits, Luhn on them and on the SIREN, La Poste's exception."""
    if len(valeur) != 14 or not valeur.isascii() or not valeur.isdigit():
        return False
    if valeur.startswith("356000000") and valeur != "35600000000048":
        cle = sum(map(int, valeur)) % 5 == 0
    else:
        cle = _luhn(valeur)
    return cle and _luhn(valeur[:9])


def erreurs_custom_checks(descripteur: dict, lignes: list[dict]) -> list[str]:
    """The schema's `custom_checks` on rows of cells: french-siret-value on a non-empty cell of its column,
    one-of-required: at least one of the two cells filled on each row."""
    erreurs = []
    for check in descripteur["custom_checks"]:
        params = check["params"]
        for numero, ligne in enumerate(lignes, start=2):
            if check["name"] == "french-siret-value":
                valeur = ligne.get(params["column"]) or ""
                if valeur and not siret_scdl(valeur):
                    erreurs.append(f"ligne {numero} : {params['column']} {valeur!r} n'est pas un SIRET valide")
            elif check["name"] == "one-of-required":
                if not (ligne.get(params["column1"]) or ligne.get(params["column2"])):
                    erreurs.append(f"ligne {numero} : ni {params['column1']} ni {params['column2']}")
            else:
                erreurs.append(f"custom check inconnu : {check['name']}")
    return erreurs


def erreurs_csv(descripteur: dict, contenu: bytes) -> list:
    """frictionless on the CSV bytes, read as the SCDL asks (UTF-8, comma): every error, flattened."""
    dialect = Dialect(controls=[formats.CsvControl(delimiter=",", quote_char='"')])
    ressource = Resource(
        contenu, format="csv", encoding="utf-8", dialect=dialect, schema=Schema.from_descriptor(descripteur)
    )
    return ressource.validate().flatten(["rowNumber", "fieldName", "type", "note"])


def erreurs_json(descripteur: dict, objets: list[dict]) -> list:
    ressource = Resource(data=objets, schema=Schema.from_descriptor(descripteur))
    return ressource.validate().flatten(["rowNumber", "fieldName", "type", "note"])


def lignes_csv(contenu: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(contenu.decode("utf-8"), newline="")))


def test_the_exporter_names_the_schema_and_its_fields_as_the_official_file(descripteur):
    assert (
        descripteur["name"],
        descripteur["version"],
    ) == (donnees_ouvertes.SCHEMA_NOM, donnees_ouvertes.SCHEMA_VERSION)
    assert [champ["name"] for champ in descripteur["fields"]] == list(CHAMPS)


def test_the_checks_accept_the_official_example_and_refuse_broken_rows(descripteur):
    """The validation used below can fail: the official valid example passes it, altered rows do not."""
    exemple = EXEMPLE.read_bytes()
    assert erreurs_csv(descripteur, exemple) == []
    lignes = lignes_csv(exemple)
    assert erreurs_custom_checks(descripteur, lignes) == []
    casse = exemple.replace(b",99786.57,", b',"99786,57",', 1)
    assert [e[1:3] for e in erreurs_csv(descripteur, casse)] == [["montant", "type-error"]]
    lignes[0]["idBeneficiaire"] = "52499120500014"  # Luhn key off by one
    lignes[1]["rnaBeneficiaire"] = ""  # no SIRET either
    lignes[2]["idBeneficiaire"] = "35600000012345"  # La Poste: sum of digits not a multiple of 5
    assert erreurs_custom_checks(descripteur, lignes) == [
        "ligne 2 : idBeneficiaire '52499120500014' n'est pas un SIRET valide",
        "ligne 4 : idBeneficiaire '35600000012345' n'est pas un SIRET valide",
        "ligne 3 : ni idBeneficiaire ni rnaBeneficiaire",
    ]


# --- A realistic programme --------------------------------------------------------------------------------------


def _organisation(nom: str, *, rna: str = "", nature=Organisation.Nature.AUTRE, sirets=()) -> Organisation:
    organisation = Organisation.objects.create(nom=nom, slug=slugify(nom), rna=rna, nature=nature)
    for siret in sirets:
        Etablissement.objects.create(organisation=organisation, siret=siret, libelle="Siège")
    return organisation


def _partenaire(projet: Projet, organisation: Organisation, charge) -> None:
    partenariat_add(projet=projet, organisation=organisation, role=Partenariat.Role.PARTENAIRE, by=charge)


def _tranches(*tranches) -> list[dict]:
    return [
        {"date_prevue": date, "montant": Decimal(montant), "condition": condition}
        for date, montant, condition in tranches
    ]


def _convention(charge, projet, beneficiaire, reference, tranches, **champs) -> Convention:
    tranches = _tranches(*tranches)
    return services.convention_create(
        projet=projet,
        beneficiaire=beneficiaire,
        objet=champs.pop("objet", f"Convention {reference}"),
        date_signature=champs.pop("date_signature", tranches[0]["date_prevue"]),
        reference=reference,
        montant=sum(t["montant"] for t in tranches),
        tranches=tranches,
        by=charge,
        **champs,
    )


COMPLETE = {"nature_aide": "numeraire", "notification_ue": False, "pourcentage_subvention": Decimal("50")}


@pytest.fixture
def programme():
    """Three projects; five complete conventions (1 to 4 tranches, amendments up and down, partial payments), an
    association known by its RNA only, a company by its establishment's SIRET, La Poste; four incomplete
    conventions, one taken over at 0 €; equity commitments and payments beside them."""
    charge = compte("charge")
    biovallee = Projet.objects.get(slug="biovallee")
    vilagil = Projet.objects.get(slug="vilagil")
    dijon = Projet.objects.get(slug="dijon-alimentation-durable-2030")
    association = _organisation("Jardins de la Drôme", rna="W261234567", nature=Organisation.Nature.ASSOCIATION)
    entreprise = _organisation(
        'Drôme Énergies, SAS "coopérative"', nature=Organisation.Nature.ENTREPRISE, sirets=["52499120500013"]
    )
    poste = _organisation("La Poste", sirets=["35600000012346"])
    laboratoire = _organisation("Laboratoire des sols", sirets=["38033590100027", "37939422400016"])
    cle_fausse = _organisation("Mobilités du Sud-Ouest", sirets=["52499120500014"])
    for projet, organisation in [
        (biovallee, association), (biovallee, entreprise), (biovallee, poste), (biovallee, laboratoire),
        (vilagil, cle_fausse), (dijon, entreprise),
    ]:  # fmt: skip
        _partenaire(projet, organisation, charge)
    lead_vilagil = vilagil.chef_de_file
    Etablissement.objects.create(organisation=lead_vilagil, siret="42901366700028", libelle="Siège")
    d = datetime.date

    c = {}
    # An association with its RNA only, one tranche paid in full.
    c["rna"] = _convention(
        charge, biovallee, association, "TI-BIO-2020-01", [(d(2020, 6, 15), "48000.00", "À la signature")],
        conditions_versement="unique", objet="Jardins partagés, animation", **COMPLETE,
    )  # fmt: skip
    services.tranche_pay(tranche=c["rna"].tranches.get(), montant=Decimal("48000.00"), date=d(2020, 7, 1),
                         reference="V-BIO-01", by=charge)  # fmt: skip
    # A company by its establishment; three tranches, the first paid in part, then a raise (last unpaid tranche).
    c["siret"] = _convention(
        charge, biovallee, entreprise, "TI-BIO-2021-02",
        [(d(2021, 1, 10), "100000.00", "À la signature"), (d(2022, 1, 10), "150000.00", "Sur justificatifs"),
         (d(2023, 6, 30), "50000.00", "Solde")],
        etablissement=entreprise.etablissements.get(), conditions_versement="echelonne",
        objet='Réseau de chaleur « bois », lot 2, "phase A"',
        **{**COMPLETE, "pourcentage_subvention": Decimal("45")},
    )  # fmt: skip
    services.tranche_pay(tranche=c["siret"].tranches.get(numero=1), montant=Decimal("60000.00"), date=d(2021, 2, 1),
                         reference="V-BIO-02", by=charge)  # fmt: skip
    services.avenant_create(convention=c["siret"], variation=Decimal("25000.50"), date=d(2022, 3, 1),
                            reference="AV-BIO-02-1", motif="Extension du réseau", by=charge)  # fmt: skip
    # La Poste: its SIRETs have no Luhn key, their digits sum to a multiple of 5.
    c["poste"] = _convention(
        charge, biovallee, poste, "TI-BIO-2022-03", [(d(2022, 9, 1), "30000.00", "À la signature")],
        etablissement=poste.etablissements.get(), conditions_versement="unique",
        **{**COMPLETE, "nature_aide": "nature", "pourcentage_subvention": Decimal("100")},
    )  # fmt: skip
    # The lead of Vilagil: four tranches, two paid (one in part), then a cut taken from the last unpaid ones;
    # notified under a State-aid scheme.
    c["coupee"] = _convention(
        charge, vilagil, lead_vilagil, "TI-VIL-2020-01",
        [(d(2020, 3, 1), "200000.00", "À la signature"), (d(2021, 3, 1), "200000.00", "Rapport d'étape"),
         (d(2022, 3, 1), "200000.00", "Rapport d'étape"), (d(2023, 3, 1), "100000.00", "Solde")],
        etablissement=lead_vilagil.etablissements.get(), conditions_versement="echelonne",
        nature_aide="numeraire", notification_ue=True, regime_aide="Régime cadre exempté SA.58995",
        pourcentage_subvention=Decimal("12.5"),
    )  # fmt: skip
    services.tranche_pay(tranche=c["coupee"].tranches.get(numero=1), montant=Decimal("200000.00"),
                         date=d(2020, 4, 1), reference="V-VIL-01", by=charge)  # fmt: skip
    services.tranche_pay(tranche=c["coupee"].tranches.get(numero=2), montant=Decimal("75000.00"),
                         date=d(2021, 4, 1), reference="V-VIL-02", by=charge)  # fmt: skip
    services.avenant_create(convention=c["coupee"], variation=Decimal("-150000.00"), date=d(2022, 1, 15),
                            reference="AV-VIL-01-1", motif="Périmètre réduit", by=charge)  # fmt: skip
    # The same company in another project, « autre » conditions, two tranches, a raise with a new last tranche.
    c["autre"] = _convention(
        charge, dijon, entreprise, "TI-DIJ-2021-01",
        [(d(2021, 5, 1), "40000.00", "À la signature"), (d(2021, 11, 1), "40000.00", "Sur justificatifs")],
        etablissement=entreprise.etablissements.get(), conditions_versement="autre",
        **{**COMPLETE, "pourcentage_subvention": Decimal("33.33")},
    )  # fmt: skip
    services.avenant_create(
        convention=c["autre"], variation=Decimal("20000.00"), date=d(2022, 2, 1), reference="AV-DIJ-01-1",
        motif="Troisième tranche", by=charge,
        tranches=[{"numero": 1, "date_prevue": d(2021, 5, 1), "montant": "40000.00", "condition": "À la signature"},
                  {"numero": 2, "date_prevue": d(2021, 11, 1), "montant": "40000.00", "condition": "Sur justificatifs"},
                  {"date_prevue": d(2024, 12, 31), "montant": "20000.00", "condition": "Solde"}],
    )  # fmt: skip

    i = {}
    # An organisation with two establishments, the convention naming none, no RNA: no identifier is guessed.
    i["sans_identifiant"] = _convention(
        charge, biovallee, laboratoire, "TI-BIO-2023-04", [(d(2023, 2, 1), "25000.00", "À la signature")],
        conditions_versement="unique", **COMPLETE,
    )  # fmt: skip
    i["cle_fausse"] = _convention(
        charge, vilagil, cle_fausse, "TI-VIL-2023-02", [(d(2023, 5, 1), "35000.00", "À la signature")],
        etablissement=cle_fausse.etablissements.get(), conditions_versement="unique", **COMPLETE,
    )  # fmt: skip
    # Signed, its publication fields not entered yet (as the conventions taken over by migration 0007).
    i["vide"] = _convention(
        charge, dijon, dijon.chef_de_file, "TI-DIJ-2020-02",
        [(d(2020, 10, 1), "60000.00", "À la signature"), (d(2021, 10, 1), "60000.00", "Solde")],
    )  # fmt: skip
    i["part"] = _convention(
        charge, biovallee, association, "TI-BIO-2024-05", [(d(2024, 1, 5), "24000.00", "À la signature")],
        conditions_versement="unique", **{**COMPLETE, "pourcentage_subvention": Decimal("0.5")},
    )  # fmt: skip
    # Taken over at 0 € by migration 0007 (a commitment released in full): no tranche, nothing to publish.
    subvention = Enveloppe.objects.get(code=Enveloppe.Code.SUBVENTION)
    zero = Convention.objects.create(
        projet=dijon, enveloppe=subvention, allocation=dijon.allocations.get(enveloppe=subvention),
        beneficiaire=dijon.chef_de_file, objet="Reprise de l'engagement TI-DIJ-2019-00",
        date_signature=d(2019, 12, 1), reference="TI-DIJ-2019-00", montant=Decimal("0.00"),
    )  # fmt: skip

    # Equity: commitments and a payment on the other envelope, never in the files.
    investissement = Enveloppe.objects.get(code=Enveloppe.Code.INVESTISSEMENT)
    fonds_propres = services.engagement_create(
        projet=biovallee, enveloppe=investissement, montant=Decimal("1500000.00"), date=d(2021, 6, 1),
        reference="FP-BIO-01", motif="Prise de participation dans la SEM Biovallée Énergie", by=charge,
    )  # fmt: skip
    services.versement_create(engagement=fonds_propres, montant=Decimal("500000.00"), date=d(2021, 7, 1),
                              reference="VFP-BIO-01", by=charge)  # fmt: skip
    services.engagement_create(
        projet=vilagil, enveloppe=investissement, montant=Decimal("800000.00"), date=d(2022, 6, 1),
        reference="FP-VIL-01", motif="Prise de participation", by=charge,
    )  # fmt: skip
    return {"conventions": c, "incompletes": i, "zero": zero, "charge": charge, "biovallee": biovallee}


# --- The files ---------------------------------------------------------------------------------------------------


def test_the_csv_passes_the_official_schema_and_its_custom_checks(client, programme, descripteur):
    reponse = client.get("/donnees-ouvertes/subventions.csv")
    assert reponse.status_code == 200
    contenu = reponse.content
    assert erreurs_csv(descripteur, contenu) == []
    lignes = lignes_csv(contenu)
    assert len(lignes) == 5
    assert erreurs_custom_checks(descripteur, lignes) == []
    # RFC 4180: CRLF, the header is the schema's names in its order, no BOM.
    assert contenu.startswith(",".join(CHAMPS).encode() + b"\r\n")


def test_the_json_holds_the_same_rows_and_passes_the_same_schema(client, programme, descripteur):
    objets = json.loads(client.get("/donnees-ouvertes/subventions.json").content)
    assert erreurs_json(descripteur, objets) == []
    assert [list(objet) for objet in objets] == [list(CHAMPS)] * 5
    depuis_csv = lignes_csv(client.get("/donnees-ouvertes/subventions.csv").content)
    assert objets == [{champ: ligne[champ] or None for champ in CHAMPS} for ligne in depuis_csv]
    assert erreurs_custom_checks(descripteur, objets) == []


def test_each_row_says_what_the_convention_says(programme):
    c = programme["conventions"]
    lignes = {ligne["referenceDecision"]: ligne for ligne in publication().lignes}
    assert list(lignes) == ["TI-VIL-2020-01", "TI-BIO-2020-01", "TI-BIO-2021-02", "TI-DIJ-2021-01", "TI-BIO-2022-03"]
    attendu = {
        # reference: (idBeneficiaire, rnaBeneficiaire, montant, nature, conditions, période, notification, part)
        "TI-BIO-2020-01": ("", "W261234567", "48000.00", "aide en numéraire", "unique", "2020-06-15", "non", "0.5"),
        # Raised by 25 000.50 on its last unpaid tranche: the period is unchanged.
        "TI-BIO-2021-02": (
            "52499120500013", "", "325000.50", "aide en numéraire", "échelonné", "2021-01-10/2023-06-30", "non",
            "0.45",
        ),
        "TI-BIO-2022-03": ("35600000012346", "", "30000.00", "aide en nature", "unique", "2022-09-01", "non", "1"),
        # Cut by 150 000 from its last unpaid tranches: the 2023 tranche is gone, the 2022 one reduced.
        "TI-VIL-2020-01": (
            "42901366700028", "", "550000.00", "aide en numéraire", "échelonné", "2020-03-01/2022-03-01", "oui",
            "0.125",
        ),
        "TI-DIJ-2021-01": (
            "52499120500013", "", "100000.00", "aide en numéraire", "autre", "2021-05-01/2024-12-31", "non",
            "0.3333",
        ),
    }  # fmt: skip
    for reference, (siret, rna, montant, nature, conditions, periode, notification, part) in attendu.items():
        ligne = lignes[reference]
        assert (
            ligne["idBeneficiaire"], ligne["rnaBeneficiaire"], ligne["montant"], ligne["nature"],
            ligne["conditionsVersement"], ligne["datesPeriodeVersement"], ligne["notificationUE"],
            ligne["pourcentageSubvention"],
        ) == (siret, rna, montant, nature, conditions, periode, notification, part), reference  # fmt: skip
        assert ligne["nomAttribuant"] == "Caisse des dépôts et consignations"
        assert ligne["idAttribuant"] == "18002002600019"
        assert ligne["dispositifAide"] == "Territoires d'Innovation"
        assert ligne["idRAE"] == ""
    assert lignes["TI-BIO-2021-02"]["nomBeneficiaire"] == 'Drôme Énergies, SAS "coopérative"'
    assert lignes["TI-BIO-2021-02"]["objet"] == 'Réseau de chaleur « bois », lot 2, "phase A"'
    assert lignes["TI-BIO-2020-01"]["dateConvention"] == c["rna"].date_signature.isoformat() == "2020-06-15"


def test_the_amounts_are_the_ledgers_net_subsidy_commitments(programme):
    """Each row's amount and their sum are the subsidy envelope's commitments less its releases, by convention,
    summed by the database in one GROUP BY."""
    with connection.cursor() as curseur:
        curseur.execute(
            """
            SELECT c.reference,
                   SUM(CASE e.nature WHEN 'engagement' THEN e.montant WHEN 'desengagement' THEN -e.montant END)
            FROM financements_engagement e
            JOIN financements_enveloppe v ON v.id = e.enveloppe_id
            JOIN financements_convention c ON c.id = e.convention_id
            WHERE v.code = 'subvention'
            GROUP BY c.reference
            """
        )
        grand_livre = dict(curseur.fetchall())
    lignes = publication().lignes
    publiees = {ligne["referenceDecision"] for ligne in lignes}
    assert {reference: Decimal(ligne["montant"]) for ligne in lignes for reference in [ligne["referenceDecision"]]} == {
        reference: montant for reference, montant in grand_livre.items() if reference in publiees
    }
    assert sum(Decimal(ligne["montant"]) for ligne in lignes) == sum(
        montant for reference, montant in grand_livre.items() if reference in publiees
    ) == Decimal("1053000.50")  # fmt: skip


def test_incomplete_conventions_are_listed_with_what_they_lack_and_left_out(client, programme):
    i = programme["incompletes"]
    pub = publication()
    assert {item.convention.reference: list(item.manques) for item in pub.a_completer} == {
        "TI-DIJ-2020-02": [
            "nature de l'aide (en numéraire ou en nature)",
            "conditions de versement (unique, échelonné ou autre)",
            "notification à la Commission européenne (oui ou non)",
            "part du coût éligible (%)",
            "identifiant du bénéficiaire : l'établissement (SIRET) de la convention, ou le numéro RNA de l'association",
        ],
        "TI-BIO-2023-04": [
            "identifiant du bénéficiaire : l'établissement (SIRET) de la convention, ou le numéro RNA de l'association"
        ],
        "TI-VIL-2023-02": ["SIRET valide de l'établissement bénéficiaire (52499120500014 : clé de contrôle fausse)"],
        "TI-BIO-2024-05": [
            "part du coût éligible d'au moins 1 % (0,50 % saisi) : le format publie une part entre 0,01 et 1"
        ],
    }
    publiees = {ligne["referenceDecision"] for ligne in pub.lignes}
    assert publiees.isdisjoint({c.reference for c in i.values()})
    # The convention at 0 €: neither published nor to complete.
    assert programme["zero"].reference not in publiees | {item.convention.reference for item in pub.a_completer}
    contenu = client.get("/donnees-ouvertes/subventions.csv").content.decode()
    for reference in ["TI-DIJ-2020-02", "TI-BIO-2023-04", "TI-VIL-2023-02", "TI-BIO-2024-05", "TI-DIJ-2019-00"]:
        assert reference not in contenu


def test_completing_a_convention_publishes_it(programme):
    vide = programme["incompletes"]["vide"]
    lead = vide.beneficiaire
    etablissement = Etablissement.objects.create(organisation=lead, siret="40772080400019")
    services.convention_update(
        convention=vide,
        data={"nature_aide": "numeraire", "conditions_versement": "echelonne", "notification_ue": False,
              "pourcentage_subvention": Decimal("20"), "etablissement": etablissement},
        by=programme["charge"],
    )  # fmt: skip
    pub = publication()
    assert "TI-DIJ-2020-02" not in {item.convention.reference for item in pub.a_completer}
    (ligne,) = [ligne for ligne in pub.lignes if ligne["referenceDecision"] == "TI-DIJ-2020-02"]
    assert (ligne["idBeneficiaire"], ligne["montant"], ligne["datesPeriodeVersement"]) == (
        "40772080400019", "120000.00", "2020-10-01/2021-10-01"
    )  # fmt: skip


def test_the_equity_envelope_is_never_published(client, programme):
    contenu = client.get("/donnees-ouvertes/subventions.csv").content.decode()
    json_contenu = client.get("/donnees-ouvertes/subventions.json").content.decode()
    for texte in (contenu, json_contenu):
        assert "FP-BIO-01" not in texte and "FP-VIL-01" not in texte and "1500000" not in texte
    # Even a convention row on the equity envelope (the database allows none through the services) stays out.
    investissement = Enveloppe.objects.get(code=Enveloppe.Code.INVESTISSEMENT)
    biovallee = programme["biovallee"]
    Convention.objects.create(
        projet=biovallee, enveloppe=investissement, allocation=biovallee.allocations.get(enveloppe=investissement),
        beneficiaire=biovallee.chef_de_file, objet="Fonds propres", date_signature=datetime.date(2021, 6, 1),
        reference="FP-BIO-CONV", montant=Decimal("1500000.00"), nature_aide="numeraire",
        conditions_versement="unique", notification_ue=False, pourcentage_subvention=Decimal("100"),
    )  # fmt: skip
    assert "FP-BIO-CONV" not in {ligne["referenceDecision"] for ligne in publication().lignes}
    assert "FP-BIO-CONV" not in {item.convention.reference for item in publication().a_completer}


def test_the_publication_reads_the_database_once_whatever_the_number_of_conventions(programme, client):
    charge = programme["charge"]

    def requetes(appel) -> int:
        with CaptureQueriesContext(connection) as contexte:
            appel()
        return len(contexte.captured_queries)

    client.force_login(charge)
    avant = (requetes(publication), requetes(lambda: client.get("/donnees-ouvertes/")))
    biovallee = programme["biovallee"]
    association = Organisation.objects.get(rna="W261234567")
    for rang in range(3):
        _convention(
            charge, biovallee, association, f"TI-BIO-2024-1{rang}", [(datetime.date(2024, 2, 1), "1000.00", "Unique")],
            conditions_versement="unique", **COMPLETE,
        )  # fmt: skip
        _convention(charge, biovallee, association, f"TI-BIO-2024-2{rang}",
                    [(datetime.date(2024, 2, 1), "1000.00", "Unique")])  # fmt: skip
    apres = (requetes(publication), requetes(lambda: client.get("/donnees-ouvertes/")))
    assert avant == apres
    assert avant[0] == 1


# --- The page and the responses -----------------------------------------------------------------------------------


def test_the_page_presents_the_files_to_everyone_and_the_missing_data_to_officers_and_directors(client, programme):
    reponse = client.get("/donnees-ouvertes/")
    assert reponse.status_code == 200
    page = reponse.content.decode()
    for attendu in [
        'href="/donnees-ouvertes/subventions.csv"',
        'href="/donnees-ouvertes/subventions.json"',
        'href="/donnees-ouvertes/iati-activities.xml"',
        "version 2.1.1",
        "Licence Ouverte / Open Licence 2.0 (Etalab)",
        "Caisse des dépôts et consignations (SIRET 18002002600019)",
        "« Territoires d&#x27;Innovation »",
    ]:
        assert attendu in page, attendu
    assert "<td>5</td>" in page
    assert "À compléter avant publication" not in page and "/conventions/" not in page
    for role in ("charge", "directeur"):
        client.force_login(compte(role))
        page = client.get("/donnees-ouvertes/").content.decode()
        assert "À compléter avant publication" in page
        assert "4 conventions de subvention ne peuvent pas encore être publiées : il leur manque" in page
        for convention in programme["incompletes"].values():
            assert f'href="/conventions/{convention.uid}/"' in page
        assert "Clé de contrôle fausse" not in page and "SIRET valide de l&#x27;établissement bénéficiaire" in page
    client.force_login(compte("partenaire"))
    assert "À compléter avant publication" not in client.get("/donnees-ouvertes/").content.decode()


def test_the_footer_links_the_page(client):
    assert 'href="/donnees-ouvertes/">Données ouvertes</a>' in client.get("/").content.decode()


def test_the_files_answer_with_their_type_name_and_date(client, programme):
    csv_reponse = client.get("/donnees-ouvertes/subventions.csv")
    assert csv_reponse["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert csv_reponse["Content-Disposition"] == 'attachment; filename="subventions.csv"'
    json_reponse = client.get("/donnees-ouvertes/subventions.json")
    assert json_reponse["Content-Type"] == "application/json"
    assert json_reponse["Content-Disposition"] == 'attachment; filename="subventions.json"'
    derniere = publication().derniere_modification
    assert derniere is not None
    for reponse in (csv_reponse, json_reponse):
        assert reponse["Last-Modified"] == http_date(derniere.timestamp())
    for url in ("/donnees-ouvertes/", "/donnees-ouvertes/subventions.csv", "/donnees-ouvertes/subventions.json"):
        assert client.post(url).status_code == 405
        assert client.head(url).status_code == 200


def test_empty_files_still_have_their_header(client, descripteur):
    contenu = client.get("/donnees-ouvertes/subventions.csv").content
    assert contenu == ",".join(CHAMPS).encode() + b"\r\n"
    assert erreurs_csv(descripteur, contenu) == []
    assert client.get("/donnees-ouvertes/subventions.json").json() == []
    assert "Last-Modified" not in client.get("/donnees-ouvertes/subventions.csv")
    assert csv_texte([]) == ",".join(CHAMPS) + "\r\n" and json_texte([]) == "[]"


def test_a_wrong_attributing_siret_stops_the_portal_at_start(monkeypatch):
    """Every row carries the attributing body's SIRET: a wrong one is a configuration error, not a bad file."""
    for siret in ("18002002600018", "1800200260001", "1800200260001a", "１８００２００２６０００１９"):
        monkeypatch.setenv("SCDL_ID_ATTRIBUANT", siret)
        with pytest.raises(ImproperlyConfigured, match="SCDL_ID_ATTRIBUANT"):
            importlib.reload(base)
    monkeypatch.setenv("SCDL_ID_ATTRIBUANT", " 18002002600019 ")
    monkeypatch.setenv("SCDL_NOM_ATTRIBUANT", "")
    with pytest.raises(ImproperlyConfigured, match="SCDL_NOM_ATTRIBUANT"):
        importlib.reload(base)
    monkeypatch.delenv("SCDL_NOM_ATTRIBUANT")
    importlib.reload(base)
    assert (base.SCDL_ID_ATTRIBUANT, base.SCDL_NOM_ATTRIBUANT, base.SCDL_DISPOSITIF_AIDE) == (
        "18002002600019", "Caisse des dépôts et consignations", "Territoires d'Innovation"
    )  # fmt: skip
    assert settings.SCDL_ID_ATTRIBUANT == "18002002600019"
