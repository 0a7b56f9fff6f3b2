"""The IATI 2.03 activity file: valid against the official XSD, and saying what the ledger, the schedules
and the validated measurements say, recomputed here from their rows."""

import datetime
import os
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from financements import services as ledger
from financements.models import Engagement, Enveloppe, Tranche, Versement
from indicateurs import services as mesures
from indicateurs.models import Indicateur
from laureats import services as fiches
from laureats.models import Etablissement, Organisation, Partenariat, Projet
from portail.iati import iati_activities
from tests.factories import compte

pytestmark = pytest.mark.django_db

# Unchanged copies of the IATI 2.03 schema files of ../shared/standards/ (a worktree or a
# clone elsewhere has no ../shared): a missing file fails the tests, it never skips them.
XSD = Path(__file__).resolve().parent.parent / "standards" / "iati" / "iati-activities-schema.xsd"
PREFIXE = "FR-RCS-180020026-TI-"
SIREN_BIOVALLEE = "501234561"
SIREN_COMMUNE = "212100960"
SIRET_SCOP = "79912345000014"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    assert XSD.is_file(), f"Schéma IATI introuvable : {XSD}"
    return etree.XMLSchema(etree.parse(str(XSD)))


def valide(schema: etree.XMLSchema, contenu: bytes) -> dict[str, etree._Element]:
    """The file's activities by identifier, once the XSD finds no error in it."""
    document = etree.fromstring(contenu)
    erreurs = "\n".join(f"ligne {e.line} : {e.message}" for e in schema.error_log) if not schema(document) else ""
    assert not erreurs, f"Le fichier IATI ne respecte pas le schéma 2.03 :\n{erreurs}"
    assert document.get("version") == "2.03"
    return {a.findtext("iati-identifier"): a for a in document.iter("iati-activity")}


def montants(activite: etree._Element, type_transaction: str) -> list[Decimal]:
    return [
        Decimal(t.findtext("value"))
        for t in activite.iter("transaction")
        if t.find("transaction-type").get("code") == type_transaction
    ]


def signe(nature: str, montant: Decimal, positive: str) -> Decimal:
    return montant if nature == positive else -montant


@pytest.fixture
def jeu():
    """Biovallée under way with two conventions, paid tranches, a reversal, an amendment down, equity
    bought and partly released, partners with and without identifiers, validated and other measurements;
    Vilagil under way with one convention and no dates; three other projects at the other stages of their life."""
    claire = compte("charge")
    investissement = Enveloppe.objects.get(code=Enveloppe.Code.INVESTISSEMENT)
    biovallee, vilagil = Projet.objects.get(slug="biovallee"), Projet.objects.get(slug="vilagil")
    Projet.objects.filter(pk=biovallee.pk).update(
        statut=Projet.Statut.EN_COURS, date_debut=datetime.date(2020, 3, 1), date_fin=datetime.date(2030, 12, 31)
    )
    biovallee.refresh_from_db()
    Projet.objects.filter(pk=vilagil.pk).update(statut=Projet.Statut.EN_COURS)
    # Identifiers as an officer enters them (their own pages are another change's).
    Organisation.objects.filter(pk=biovallee.chef_de_file_id).update(siren=SIREN_BIOVALLEE)
    commune = fiches.organisation_create(
        nom="Commune de Crest", siren=SIREN_COMMUNE, nature=Organisation.Nature.COLLECTIVITE, by=claire
    )
    scop = fiches.organisation_create(nom="Scop Énergies du Diois", nature=Organisation.Nature.ENTREPRISE, by=claire)
    Etablissement.objects.create(organisation=scop, siret=SIRET_SCOP, libelle="Siège")
    region = fiches.organisation_create(nom="Région Auvergne-Rhône-Alpes", nature="collectivite", by=claire)
    for organisation, role in ((commune, "co_porteur"), (scop, "partenaire"), (region, "financeur")):
        fiches.partenariat_add(projet=biovallee, organisation=organisation, role=role, by=claire)

    c1 = ledger.convention_create(
        projet=biovallee, beneficiaire=biovallee.chef_de_file, objet="Rénovation énergétique des logements",
        date_signature="2021-02-01", reference="BIO-C1", montant=Decimal("600000"), by=claire,
        conditions_versement="echelonne",
        tranches=[
            {"date_prevue": "2021-02-01", "montant": "200000", "condition": "À la signature"},
            {"date_prevue": "2022-06-30", "montant": "250000", "condition": "Sur justificatifs"},
            {"date_prevue": "2023-12-31", "montant": "150000", "condition": "Solde"},
        ],
    )  # fmt: skip
    t1, t2, _ = c1.tranches.order_by("numero")
    ledger.tranche_pay(tranche=t1, montant=Decimal("200000"), date="2021-03-01", reference="BIO-V1", by=claire)
    (v2,) = ledger.tranche_pay(tranche=t2, montant=Decimal("100000"), date="2022-07-15", reference="BIO-V2", by=claire)
    ledger.versement_cancel(
        versement=v2, montant=Decimal("30000"), date=datetime.date(2022, 9, 1), reference="BIO-V2-A",
        motif="Dépenses non justifiées", by=claire,
    )  # fmt: skip
    # Down by 100 000 €: taken from the last tranche's unpaid part (150 000 → 50 000).
    ledger.avenant_create(
        convention=c1, variation="-100000", date="2023-01-10", reference="BIO-C1-AV1", motif="Périmètre réduit",
        by=claire,
    )  # fmt: skip
    c2 = ledger.convention_create(
        projet=biovallee, beneficiaire=commune, objet="Pôle d'échanges multimodal", date_signature="2022-01-15",
        reference="BIO-C2", montant=Decimal("300000"), by=claire, conditions_versement="unique",
        tranches=[{"date_prevue": "2022-01-15", "montant": "300000", "condition": "À la signature"}],
    )  # fmt: skip
    ledger.tranche_pay(
        tranche=c2.tranches.get(), montant=Decimal("300000"), date="2022-02-01", reference="BIO-V3", by=claire
    )
    participation = ledger.engagement_create(
        projet=biovallee, enveloppe=investissement, montant=Decimal("2000000"), date=datetime.date(2021, 5, 10),
        reference="BIO-FP1", motif="Prise de participation dans la SEM", by=claire,
    )  # fmt: skip
    ledger.versement_create(
        engagement=participation, montant=Decimal("1500000"), date=datetime.date(2021, 6, 1), reference="BIO-FP1-V",
        by=claire,
    )  # fmt: skip
    ledger.desengagement_create(
        engagement=participation, montant=Decimal("200000"), date=datetime.date(2023, 5, 1), reference="BIO-FP1-D",
        motif="Tour de table complété", by=claire,
    )  # fmt: skip

    c3 = ledger.convention_create(
        projet=vilagil, beneficiaire=vilagil.chef_de_file, objet="Navettes autonomes", date_signature="2020-11-05",
        reference="VIL-C1", montant=Decimal("100000"), by=claire,
        tranches=[{"date_prevue": "2020-11-05", "montant": "100000", "condition": "À la signature"}],
    )  # fmt: skip
    ledger.tranche_pay(
        tranche=c3.tranches.get(), montant=Decimal("40000"), date="2021-01-04", reference="VIL-V1", by=claire
    )

    energie = Indicateur.objects.get(code="biovallee-production-energie-locale")  # kWh, 178 → 790
    for date, valeur, decision in (
        ("2021-06-30", "149.5", "rejet"),
        ("2021-12-31", "200", "validation"),
        ("2022-06-30", "250", "validation"),
        ("2022-12-31", "300", "validation"),
        ("2023-06-30", "998.75", None),
    ):
        mesure = mesures.mesure_submit(
            indicateur=energie, date=datetime.date.fromisoformat(date), valeur=Decimal(valeur), source="Relevé SDED",
            by=claire,
        )  # fmt: skip
        if decision == "validation":
            mesures.mesure_validate(mesure=mesure, by=claire)
        elif decision == "rejet":
            mesures.mesure_reject(mesure=mesure, by=claire, commentaire="Unité erronée")

    autres = list(Projet.objects.exclude(pk__in=[biovallee.pk, vilagil.pk]).order_by("ordre")[:3])
    cycles = (
        (Projet.Statut.CLOTURE, datetime.date(2019, 10, 1), datetime.date(2024, 12, 31)),
        (Projet.Statut.ABANDONNE, datetime.date(2020, 1, 6), datetime.date(2021, 6, 30)),
        (Projet.Statut.EN_CONVENTIONNEMENT, datetime.date(2027, 1, 4), datetime.date(2032, 12, 31)),
    )
    for projet, (statut, debut, fin) in zip(autres, cycles, strict=True):
        Projet.objects.filter(pk=projet.pk).update(statut=statut, date_debut=debut, date_fin=fin)
    return {
        "claire": claire, "biovallee": biovallee, "vilagil": vilagil, "energie": energie, "autres": autres,
        "commune": commune, "scop": scop, "region": region,
    }  # fmt: skip


# --- Valid, on the press kit alone and on a realistic set ----------------------------------------------------------


def test_the_press_kit_alone_gives_a_valid_file_with_one_activity_per_laureate(schema):
    activites = valide(schema, iati_activities())

    projets = list(Projet.objects.order_by("ordre"))
    assert len(projets) == 24
    assert list(activites) == [PREFIXE + projet.slug for projet in projets]
    for projet in projets:
        activite = activites[PREFIXE + projet.slug]
        assert activite.find("reporting-org").get("ref") == "FR-RCS-180020026"
        assert activite.find("reporting-org").get("type") == "15"
        assert activite.find("activity-status").get("code") == "1"
        # No date in the fiches nor any commitment: planned from the designation.
        assert [(d.get("type"), d.get("iso-date")) for d in activite.iter("activity-date")] == [("1", "2019-09-13")]
        assert activite.find("budget") is None and activite.find("transaction") is None
        assert len(activite.findall("result")) == Indicateur.objects.filter(impact__projet=projet).count()
        # No legal identifier in the fiches: none is published for the project's organisations.
        organisations = activite.findall("participating-org")
        assert organisations[0].get("ref") == "FR-RCS-180020026"
        assert [o.get("ref") for o in organisations[1:]] == [None] * (len(organisations) - 1)
    assert sum(len(a.findall("result")) for a in activites.values()) == Indicateur.objects.count()


def test_a_realistic_set_gives_a_valid_file(schema, jeu):
    activites = valide(schema, iati_activities())

    assert len(activites) == 24
    assert activites[PREFIXE + "biovallee"].find("transaction") is not None


# --- What the file says, recomputed from the rows ------------------------------------------------------------------


def test_transactions_are_the_ledger_entry_by_entry(schema, jeu):
    biovallee = valide(schema, iati_activities())[PREFIXE + "biovallee"]
    projet = jeu["biovallee"]
    lignes = defaultdict(Decimal)
    for code, nature, montant in Versement.objects.filter(engagement__projet=projet).values_list(
        "engagement__enveloppe__code", "nature", "montant"
    ):
        lignes["3" if code == "subvention" else "8"] += signe(nature, montant, "versement")
    for nature, montant in Engagement.objects.filter(projet=projet).values_list("nature", "montant"):
        lignes["2"] += signe(nature, montant, "engagement")

    assert sum(montants(biovallee, "3")) == lignes["3"] == Decimal("570000")  # 200 000 + 100 000 − 30 000 + 300 000
    assert sum(montants(biovallee, "8")) == lignes["8"] == Decimal("1500000")
    # 600 000 − 100 000 (amendment) + 300 000 + 2 000 000 − 200 000 (release)
    assert sum(montants(biovallee, "2")) == lignes["2"] == Decimal("2600000")
    # Releases and reversals are negative entries of their kind, never netted away.
    assert Decimal("-100000.00") in montants(biovallee, "2") and Decimal("-200000.00") in montants(biovallee, "2")
    assert Decimal("-30000.00") in montants(biovallee, "3")
    assert len(biovallee.findall("transaction")) == Engagement.objects.filter(projet=projet).count() + (
        Versement.objects.filter(engagement__projet=projet).count()
    )


def test_each_transaction_names_its_date_provider_beneficiary_and_equity(schema, jeu):
    biovallee = valide(schema, iati_activities())[PREFIXE + "biovallee"]
    par_ref = {t.get("ref"): t for t in biovallee.iter("transaction")}

    reversal = par_ref["BIO-V2-A"]
    assert reversal.find("transaction-date").get("iso-date") == "2022-09-01"
    assert reversal.find("value").get("value-date") == "2022-09-01"
    assert reversal.find("provider-org").get("ref") == "FR-RCS-180020026"
    assert reversal.find("receiver-org").get("ref") == f"FR-RCS-{SIREN_BIOVALLEE}"
    assert par_ref["BIO-V3"].find("receiver-org").get("ref") == f"FR-RCS-{SIREN_COMMUNE}"
    assert par_ref["BIO-V3"].find("receiver-org").get("type") == "11"
    assert par_ref["BIO-V3"].findtext("receiver-org/narrative") == "Commune de Crest"
    # Equity: its own finance type, and no beneficiary the ledger does not know.
    for ref, type_transaction in (("BIO-FP1", "2"), ("BIO-FP1-V", "8"), ("BIO-FP1-D", "2")):
        assert par_ref[ref].find("transaction-type").get("code") == type_transaction
        assert par_ref[ref].find("finance-type").get("code") == "510"
        assert par_ref[ref].find("receiver-org") is None
    assert par_ref["BIO-C1"].find("finance-type") is None  # the activity's default, 110 (standard grant)
    assert biovallee.find("default-finance-type").get("code") == "110"
    dates = [t.find("transaction-date").get("iso-date") for t in biovallee.iter("transaction")]
    assert dates == sorted(dates)


def test_budgets_are_the_schedules_tranches_summed_by_planned_year(schema, jeu):
    activites = valide(schema, iati_activities())
    for projet in (jeu["biovallee"], jeu["vilagil"]):
        attendu = defaultdict(Decimal)
        for date_prevue, montant in Tranche.objects.filter(convention__projet=projet).values_list(
            "date_prevue", "montant"
        ):
            attendu[date_prevue.year] += montant
        budgets = {
            int(b.find("period-start").get("iso-date")[:4]): (
                b.find("period-start").get("iso-date"),
                b.find("period-end").get("iso-date"),
                Decimal(b.findtext("value")),
                b.find("value").get("value-date"),
            )
            for b in activites[PREFIXE + projet.slug].iter("budget")
        }
        assert budgets == {
            annee: (f"{annee}-01-01", f"{annee}-12-31", montant, f"{annee}-01-01") for annee, montant in attendu.items()
        }
    biovallee = activites[PREFIXE + "biovallee"]
    # After the amendment: 200 000 in 2021, 250 000 + 300 000 in 2022, 150 000 − 100 000 in 2023.
    assert [Decimal(b.findtext("value")) for b in biovallee.iter("budget")] == [
        Decimal("200000"), Decimal("550000"), Decimal("50000"),
    ]  # fmt: skip


def test_participating_organisations_carry_a_ref_only_from_a_recorded_siren_or_siret(schema, jeu):
    biovallee = valide(schema, iati_activities())[PREFIXE + "biovallee"]
    organisations = [
        (o.findtext("narrative"), o.get("role"), o.get("ref"), o.get("type"))
        for o in biovallee.iter("participating-org")
    ]
    assert organisations == [
        ("Caisse des dépôts et consignations", "1", "FR-RCS-180020026", "15"),
        ("Association Biovallée", "4", f"FR-RCS-{SIREN_BIOVALLEE}", "22"),
        ("Commune de Crest", "4", f"FR-RCS-{SIREN_COMMUNE}", "11"),
        # No SIREN recorded, but a SIRET: its first nine digits are the SIREN.
        ("Scop Énergies du Diois", "4", f"FR-RCS-{SIRET_SCOP[:9]}", "70"),
        # A co-funder with no identifier: named, never given one.
        ("Région Auvergne-Rhône-Alpes", "1", None, "11"),
    ]
    assert Partenariat.objects.filter(projet=jeu["biovallee"]).count() == 4  # the lead's own row is not repeated


def test_status_and_dates_follow_the_project_life_cycle(schema, jeu):
    activites = valide(schema, iati_activities())

    def cycle(projet):
        activite = activites[PREFIXE + projet.slug]
        dates = [(d.get("type"), d.get("iso-date")) for d in activite.iter("activity-date")]
        return activite.find("activity-status").get("code"), dates

    # Under way since 2020, planned to end in 2030.
    assert cycle(jeu["biovallee"]) == ("2", [("2", "2020-03-01"), ("3", "2030-12-31")])
    # No start recorded, under way: it started with its convention's signature.
    assert cycle(jeu["vilagil"]) == ("2", [("2", "2020-11-05")])
    cloture, abandonne, a_venir = jeu["autres"]
    assert cycle(cloture) == ("4", [("2", "2019-10-01"), ("4", "2024-12-31")])
    assert cycle(abandonne) == ("5", [("2", "2020-01-06"), ("4", "2021-06-30")])
    assert cycle(a_venir) == ("1", [("1", "2027-01-04"), ("3", "2032-12-31")])
    # An actual date is never in the future: read on 1 January 2020, Biovallée's start was still planned.
    avant = valide(schema, iati_activities(jour=datetime.date(2020, 1, 1)))[PREFIXE + "biovallee"]
    assert [(d.get("type"), d.get("iso-date")) for d in avant.iter("activity-date")][0] == ("1", "2020-03-01")
    # Nor is a pipeline project's: back « en conventionnement », Vilagil's signature is a planned start.
    Projet.objects.filter(pk=jeu["vilagil"].pk).update(statut=Projet.Statut.EN_CONVENTIONNEMENT)
    activites = valide(schema, iati_activities())
    assert cycle(jeu["vilagil"]) == ("1", [("1", "2020-11-05")])


def test_results_publish_the_baseline_the_target_and_validated_values_only(schema, jeu):
    contenu = iati_activities()
    biovallee = valide(schema, contenu)[PREFIXE + "biovallee"]
    energie = jeu["energie"]
    (indicateur,) = [
        i for i in biovallee.iter("indicator") if i.findtext("title/narrative").startswith(energie.libelle + " (")
    ]
    assert indicateur.get("measure") == "1" and indicateur.get("ascending") == "true"
    baseline = indicateur.find("baseline")
    assert (baseline.get("year"), baseline.get("value"), baseline.get("iso-date")) == ("2019", "178", None)
    periodes = {
        p.find("period-start").get("iso-date"): (
            p.find("period-end").get("iso-date"),
            p.find("target").get("value") if p.find("target") is not None else None,
            [a.get("value") for a in p.findall("actual")],
        )
        for p in indicateur.iter("period")
    }
    # Per year, the last validated value: 2021's 149.5 was rejected, 2023's 998.75 is only submitted.
    assert periodes == {
        "2021-01-01": ("2021-12-31", None, ["200"]),
        "2022-01-01": ("2022-12-31", None, ["300"]),
        "2030-01-01": ("2030-12-31", "790", []),
    }
    derniere_par_annee = {}
    for mesure in energie.mesures.validated().order_by("date"):
        derniere_par_annee[mesure.date.year] = f"{mesure.valeur.normalize():f}"
    assert {debut[:4]: actuels for debut, (_, _, actuels) in periodes.items() if actuels} == {
        str(annee): [valeur] for annee, valeur in derniere_par_annee.items()
    }
    assert b"149.5" not in contenu and b"998.75" not in contenu


def test_an_indicator_in_percent_is_a_percentage(schema, jeu):
    biovallee = valide(schema, iati_activities())[PREFIXE + "biovallee"]
    mesures_iati = {
        i.findtext("title/narrative"): (i.get("measure"), i.get("ascending")) for i in biovallee.iter("indicator")
    }
    for indicateur in Indicateur.objects.filter(impact__projet=jeu["biovallee"]):
        pourcentage = indicateur.unite == "%" or indicateur.mode == "relatif"
        (cle,) = [titre for titre in mesures_iati if titre.startswith(indicateur.libelle + " (")]
        sens = {"hausse": "true", "baisse": "false"}.get(indicateur.sens)
        assert mesures_iati[cle] == ("2" if pourcentage else "1", sens)


def test_a_control_character_pasted_in_a_text_does_not_break_the_file(schema, jeu):
    Projet.objects.filter(pk=jeu["vilagil"].pk).update(titre="VILAGIL\x0b", ambition="Mobilités\x0c nouvelles")
    Organisation.objects.filter(pk=jeu["scop"].pk).update(nom="Scop\x1b Énergies du Diois")

    activites = valide(schema, iati_activities())

    vilagil = activites[PREFIXE + "vilagil"]
    assert vilagil.findtext("title/narrative") == "VILAGIL"
    assert vilagil.findtext("description/narrative") == "Mobilités nouvelles"
    noms = [o.findtext("narrative") for o in activites[PREFIXE + "biovallee"].iter("participating-org")]
    assert "Scop Énergies du Diois" in noms


# --- Cost, route, settings -----------------------------------------------------------------------------------------


def test_the_number_of_queries_does_not_grow_with_the_entries(jeu):
    # Projects, objectives, partners, establishments, ledger entries, payments, impacts, indicators,
    # validated measurements, and the schedules' two sums (planned, paid) for all projects at once.
    with CaptureQueriesContext(connection) as avant:
        iati_activities()
    assert len(avant) == 11

    claire, vilagil = jeu["claire"], jeu["vilagil"]
    for i in range(3):
        convention = ledger.convention_create(
            projet=vilagil, beneficiaire=vilagil.chef_de_file, objet=f"Lot {i}", date_signature="2022-03-01",
            reference=f"VIL-LOT-{i}", montant=Decimal("30000"), by=claire,
            tranches=[{"date_prevue": f"202{2 + k}-03-01", "montant": "10000", "condition": "Sur justificatifs"}
                      for k in range(3)],
        )  # fmt: skip
        for tranche in convention.tranches.all():
            ledger.tranche_pay(
                tranche=tranche, montant=Decimal("5000"), date="2022-04-01", reference=f"VIL-LOT-{i}-{tranche.numero}",
                by=claire,
            )  # fmt: skip
        organisation = fiches.organisation_create(nom=f"Partenaire {i}", by=claire)
        fiches.partenariat_add(projet=vilagil, organisation=organisation, role="partenaire", by=claire)
    # A project that had no schedule gets one.
    sans = Projet.objects.filter(conventions__isnull=True).order_by("ordre").first()
    ledger.convention_create(
        projet=sans, beneficiaire=sans.chef_de_file, objet="Étude", date_signature="2022-03-01",
        reference="SANS-1", montant=Decimal("1000"), by=claire,
        tranches=[{"date_prevue": "2023-03-01", "montant": "1000", "condition": "À la signature"}],
    )  # fmt: skip
    for indicateur in Indicateur.objects.filter(impact__projet=vilagil)[:3]:
        mesure = mesures.mesure_submit(
            indicateur=indicateur, date=datetime.date(2022, 12, 31), valeur=Decimal("1"), source="Relevé", by=claire
        )
        mesures.mesure_validate(mesure=mesure, by=claire)

    with CaptureQueriesContext(connection) as apres:
        iati_activities()
    assert len(apres) == len(avant)


def test_the_file_is_public_at_its_address(schema, jeu):
    assert reverse("donnees_ouvertes_iati") == "/donnees-ouvertes/iati-activities.xml"

    reponse = Client().get("/donnees-ouvertes/iati-activities.xml")

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/xml; charset=utf-8"
    assert reponse["Content-Disposition"] == 'inline; filename="iati-activities.xml"'
    assert len(valide(schema, reponse.content)) == 24
    assert Client().post("/donnees-ouvertes/iati-activities.xml").status_code == 405


def _reglages(**env: str) -> subprocess.CompletedProcess:
    propre = {k: v for k, v in os.environ.items() if not k.startswith("IATI_")}
    code = "import config.settings.base as b; print(b.IATI_ORGANISATION_REF, b.IATI_IDENTIFIANT_PREFIXE)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env={**propre, **env}, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_the_publisher_comes_from_the_environment_and_prefixes_every_identifier():
    assert _reglages().stdout.split() == ["FR-RCS-180020026", "FR-RCS-180020026-TI"]
    assert _reglages(IATI_ORGANISATION_REF="FR-RCS-123456789").stdout.split() == [
        "FR-RCS-123456789", "FR-RCS-123456789-TI",
    ]  # fmt: skip

    refus = _reglages(IATI_IDENTIFIANT_PREFIXE="XM-DAC-1-TI")

    assert refus.returncode != 0
    assert "IATI_IDENTIFIANT_PREFIXE='XM-DAC-1-TI' doit commencer par" in refus.stderr
