"""The exports' columns: each header and each cell, for a project's envelopes and for every kind of ledger entry."""

import csv
import datetime
import io
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from financements.exports import COLONNES_GRAND_LIVRE, COLONNES_TABLEAU, grand_livre_rows, tableau_rows
from financements.models import Engagement, Enveloppe, Versement
from financements.selectors import Chiffres, LigneProjet, Tableau
from laureats.models import Projet
from territoires.models import Region
from tests import grand_livre as services
from tests.factories import compte

ENTETE_TABLEAU = [
    "Projet", "Région", "Enveloppe", "Alloué (€)", "Engagé (€)", "Versé (€)", "Reste à engager (€)",
    "Reste à verser (€)", "Taux d'engagement (%)", "Taux de versement (%)",
]  # fmt: skip
ENTETE_GRAND_LIVRE = [
    "Identifiant", "Nature", "Projet", "Région", "Enveloppe", "Engagement lié", "Montant (€)", "Date",
    "Référence", "Motif", "Auteur", "Enregistré le (heure de Paris)",
]  # fmt: skip
ENREGISTRE = datetime.datetime(2024, 3, 4, 9, 15, tzinfo=datetime.UTC)


def test_each_export_names_its_columns_the_times_in_paris():
    assert [c.entete for c in COLONNES_TABLEAU] == ENTETE_TABLEAU
    assert [c.entete for c in COLONNES_GRAND_LIVRE] == ENTETE_GRAND_LIVRE
    assert [c.nature for c in COLONNES_TABLEAU] == ["texte"] * 3 + ["montant"] * 5 + ["taux"] * 2
    assert [c.nature for c in COLONNES_GRAND_LIVRE] == (
        ["texte"] * 6 + ["montant", "date"] + ["texte"] * 3 + ["horodatage"]
    )


# The dashboard table


def test_the_dashboard_export_has_one_row_per_project_and_envelope_under_its_header():
    ligne = LigneProjet(
        slug="biovallee", titre="BIOVALLÉE", region_code="84", region_nom="Auvergne-Rhône-Alpes",
        par_enveloppe={
            "subvention": Chiffres(Decimal("5700000.00"), Decimal("1000000.00"), Decimal("250000.00")),
            "investissement": Chiffres(Decimal("0.00")),
        },
    )  # fmt: skip
    tableau = Tableau(enveloppes=[], par_enveloppe={}, projets=[ligne], par_annee=[])

    assert tableau_rows(tableau) == [
        # left to commit 5 700 000 - 1 000 000, left to pay 1 000 000 - 250 000,
        # rates 1 000 000 / 5 700 000 = 17.543…% and 250 000 / 1 000 000 = 25 %
        ["BIOVALLÉE", "Auvergne-Rhône-Alpes", "subvention", Decimal("5700000.00"), Decimal("1000000.00"),
         Decimal("250000.00"), Decimal("4700000.00"), Decimal("750000.00"), Decimal("17.54"), Decimal("25.00")],
        # Nothing allocated, nothing committed: no rate at all rather than a made-up 0 %.
        ["BIOVALLÉE", "Auvergne-Rhône-Alpes", "investissement", Decimal("0.00"), Decimal("0.00"), Decimal("0.00"),
         Decimal("0.00"), Decimal("0.00"), None, None],
    ]  # fmt: skip


# The ledger, from entries built in memory: every column of every kind of entry


def _engagements_et_versements():
    """A commitment and its release, a disbursement and its cancellation; two of them without an author."""
    agent = get_user_model()(username="agent-comptable")
    projet = Projet(titre="BIOVALLÉE", region=Region(nom="Auvergne-Rhône-Alpes"))
    enveloppe = Enveloppe(code="subvention")
    engagement = Engagement(
        uid=uuid.uuid4(), nature="engagement", projet=projet, enveloppe=enveloppe, montant=Decimal("1000000.00"),
        date=datetime.date(2024, 3, 1), reference="CP-1", motif="Convention", auteur=agent, cree_le=ENREGISTRE,
    )  # fmt: skip
    desengagement = Engagement(
        uid=uuid.uuid4(), nature="desengagement", projet=projet, enveloppe=enveloppe, engagement_origine=engagement,
        montant=Decimal("100000.50"), date=datetime.date(2024, 4, 2), reference="CP-1-D", motif="Abandon d'un lot",
        auteur=None, cree_le=ENREGISTRE,
    )  # fmt: skip
    versement = Versement(
        uid=uuid.uuid4(), nature="versement", engagement=engagement, montant=Decimal("400000.00"),
        date=datetime.date(2024, 6, 1), reference="OP-1", motif="", auteur=agent, cree_le=ENREGISTRE,
    )  # fmt: skip
    annulation = Versement(
        uid=uuid.uuid4(), nature="annulation", engagement=engagement, montant=Decimal("0.49"),
        date=datetime.date(2024, 9, 1), reference="OP-2", motif="Trop-perçu", auteur=None, cree_le=ENREGISTRE,
    )  # fmt: skip
    return engagement, desengagement, versement, annulation


def test_the_ledger_export_has_every_column_of_every_kind_of_entry():
    engagement, desengagement, versement, annulation = _engagements_et_versements()
    e, d, v, a = (str(x.uid) for x in (engagement, desengagement, versement, annulation))
    region = "Auvergne-Rhône-Alpes"

    officier = get_user_model()(username="chef", is_superuser=True)  # officers read authors' logins

    assert grand_livre_rows([engagement, desengagement], [versement, annulation], lecteur=officier) == [
        # A commitment is linked to nothing; a release to the commitment it frees.
        [e, "Engagement", "BIOVALLÉE", region, "subvention", "", Decimal("1000000.00"), datetime.date(2024, 3, 1),
         "CP-1", "Convention", "agent-comptable", ENREGISTRE],
        [d, "Désengagement", "BIOVALLÉE", region, "subvention", e, Decimal("100000.50"), datetime.date(2024, 4, 2),
         "CP-1-D", "Abandon d'un lot", "", ENREGISTRE],
        # A disbursement and its cancellation are both linked to the commitment they pay.
        [v, "Versement", "BIOVALLÉE", region, "subvention", e, Decimal("400000.00"), datetime.date(2024, 6, 1),
         "OP-1", "", "agent-comptable", ENREGISTRE],
        [a, "Annulation de versement", "BIOVALLÉE", region, "subvention", e, Decimal("0.49"),
         datetime.date(2024, 9, 1), "OP-2", "Trop-perçu", "", ENREGISTRE],
    ]  # fmt: skip


def test_an_empty_ledger_exports_no_row():
    assert grand_livre_rows([], []) == []


# The ledger, through the page's export link, from entries the services wrote


@pytest.mark.django_db
def test_the_ledger_csv_gives_each_entry_written_by_the_services_with_its_author():
    agent = compte("charge", username="agent-comptable")
    client = Client()
    client.force_login(agent)
    engagement = services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=Enveloppe.objects.get(code="subvention"),
        montant=Decimal("1000000.00"), date="2024-03-01", reference="CP-EXP-1", motif="Convention", by=agent,
    )  # fmt: skip
    desengagement = services.desengagement_create(
        engagement=engagement, montant=Decimal("100000.50"), date="2024-04-02", reference="CP-EXP-1-D",
        motif="Abandon d'un lot", by=None,
    )  # fmt: skip
    versement = services.versement_create(
        engagement=engagement, montant=Decimal("400000.00"), date="2024-06-01", reference="OP-EXP-1", by=None
    )
    annulation = services.versement_cancel(
        versement=versement, montant=Decimal("0.49"), date="2024-09-01", reference="OP-EXP-2", motif="Trop-perçu",
        by=agent,
    )  # fmt: skip

    reponse = client.get("/financements/grand-livre/", {"region": "84", "export": "csv"})
    rows = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))

    enregistre = {
        # Recorded today: Paris time, as the header says.
        str(x.uid): x.cree_le.astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y %H:%M:%S")
        for x in [*Engagement.objects.filter(projet__slug="biovallee"), *Versement.objects.all()]
    }  # fmt: skip
    e, d, v, a = (str(x.uid) for x in (engagement, desengagement, versement, annulation))
    region = "Auvergne-Rhône-Alpes"
    assert rows[0] == ENTETE_GRAND_LIVRE
    assert {row[0]: row for row in rows[1:]} == {
        # A subsidy's entries are worded by its convention and its amendment.
        e: [e, "Engagement", "BIOVALLÉE", region, "subvention", "", "1000000,00", "01/03/2024", "CP-EXP-1",
            "Convention avec Association Biovallée : Convention", "agent-comptable", enregistre[e]],
        d: [d, "Désengagement", "BIOVALLÉE", region, "subvention", e, "100000,50", "02/04/2024", "CP-EXP-1-D",
            "Avenant n° 1 à la convention CP-EXP-1 : Abandon d'un lot", "", enregistre[d]],
        v: [v, "Versement", "BIOVALLÉE", region, "subvention", e, "400000,00", "01/06/2024", "OP-EXP-1", "", "",
            enregistre[v]],
        a: [a, "Annulation de versement", "BIOVALLÉE", region, "subvention", e, "0,49", "01/09/2024", "OP-EXP-2",
            "Trop-perçu", "agent-comptable", enregistre[a]],
    }  # fmt: skip
