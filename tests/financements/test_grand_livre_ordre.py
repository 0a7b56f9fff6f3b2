"""GET /api/v1/engagements/ and /api/v1/versements/: the order of the ledger and what a page costs.

The ledger reads newest first: by date, and among entries of one day the last
written first. A director sees their regions before the others, in that same
order within each group. Corrections (a désengagement, an annulation) point to
the entry they correct; listing them must not cost a query per row.
"""

import pytest
from django.test import Client

from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db
ENGAGEMENTS = "/api/v1/engagements/"
VERSEMENTS = "/api/v1/versements/"


def client_for(role: str, **kwargs) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {jeton(compte(role, **kwargs))}")


@pytest.fixture
def charge() -> Client:
    return client_for("charge")


def post(client: Client, url: str, **data) -> dict:
    response = client.post(url, data, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def engager(client: Client, *, reference: str, date: str, projet: str = "biovallee", montant: str = "1000.00") -> dict:
    # Equity: a subsidy is committed through a convention, not this endpoint; the ledger's order is the same.
    return post(
        client, ENGAGEMENTS, projet=projet, enveloppe="investissement", montant=montant, date=date,
        reference=reference, motif="Convention signée",
    )  # fmt: skip


def verser(client: Client, engagement: dict, *, reference: str, date: str, montant: str = "100.00") -> dict:
    return post(
        client, VERSEMENTS, engagement=engagement["uid"], montant=montant, date=date, reference=reference,
        motif="Appel de fonds",
    )  # fmt: skip


def references(client: Client, url: str) -> list[str]:
    return [e["reference"] for e in client.get(url).json()["results"]]


def test_the_commitments_read_latest_date_first_then_last_written_first(charge):
    # Written in this order: the June one first, then two of one January day.
    engager(charge, reference="JUIN", date="2024-06-01")
    engager(charge, reference="JANVIER-ECRIT-AVANT", date="2024-01-15")
    engager(charge, reference="JANVIER-ECRIT-APRES", date="2024-01-15")

    assert references(charge, ENGAGEMENTS) == ["JUIN", "JANVIER-ECRIT-APRES", "JANVIER-ECRIT-AVANT"]


def test_the_disbursements_read_latest_date_first_then_last_written_first(charge):
    engagement = engager(charge, reference="CP-1", date="2024-01-02", montant="10000.00")
    verser(charge, engagement, reference="JUIN", date="2024-06-01")
    verser(charge, engagement, reference="MARS-ECRIT-AVANT", date="2024-03-01")
    verser(charge, engagement, reference="MARS-ECRIT-APRES", date="2024-03-01")

    assert references(charge, VERSEMENTS) == ["JUIN", "MARS-ECRIT-APRES", "MARS-ECRIT-AVANT"]


def test_a_director_reads_their_region_newest_first_then_the_others_newest_first(charge):
    # Biovallée is in Auvergne-Rhône-Alpes (84), Vilagil in Occitanie (76).
    engager(charge, reference="AURA-JUIN", date="2024-06-01")
    engager(charge, reference="OCC-MARS", projet="vilagil", date="2024-03-01")
    engager(charge, reference="AURA-JANVIER-ECRIT-AVANT", date="2024-01-15")
    engager(charge, reference="OCC-SEPTEMBRE", projet="vilagil", date="2024-09-01")
    engager(charge, reference="AURA-JANVIER-ECRIT-APRES", date="2024-01-15")
    engager(charge, reference="OCC-MARS-ECRIT-APRES", projet="vilagil", date="2024-03-01")
    directeur = client_for("directeur", regions=["84"])

    assert references(directeur, ENGAGEMENTS) == [
        "AURA-JUIN", "AURA-JANVIER-ECRIT-APRES", "AURA-JANVIER-ECRIT-AVANT",
        "OCC-SEPTEMBRE", "OCC-MARS-ECRIT-APRES", "OCC-MARS",
    ]  # fmt: skip


def test_a_director_reads_the_disbursements_of_their_region_first(charge):
    occitanie = engager(charge, reference="CP-OCC", projet="vilagil", date="2024-01-02", montant="10000.00")
    aura = engager(charge, reference="CP-AURA", date="2024-01-02", montant="10000.00")
    verser(charge, occitanie, reference="V-OCC-RECENT", date="2024-09-01")
    verser(charge, aura, reference="V-AURA-ANCIEN", date="2024-02-01")
    verser(charge, aura, reference="V-AURA-RECENT", date="2024-05-01")
    directeur = client_for("directeur", regions=["84"])

    assert references(directeur, VERSEMENTS) == ["V-AURA-RECENT", "V-AURA-ANCIEN", "V-OCC-RECENT"]


def test_listing_corrections_costs_no_query_per_row(charge, django_assert_num_queries):
    for i in range(3):
        engagement = engager(charge, reference=f"CP-{i}", date="2024-01-02", montant="10000.00")
        post(
            charge, f"{ENGAGEMENTS}{engagement['uid']}/desengagements/", montant="500.00", date="2024-02-01",
            reference=f"D-{i}", motif="Opération réduite",
        )  # fmt: skip
        versement = verser(charge, engagement, reference=f"V-{i}", date="2024-03-01")
        post(
            charge, f"{VERSEMENTS}{versement['uid']}/annulations/", montant="50.00", date="2024-04-01",
            reference=f"A-{i}", motif="Trop-perçu",
        )  # fmt: skip

    # token, count, page (each entry with its project, region, envelope, author and corrected entry)
    with django_assert_num_queries(3):
        engagements = charge.get(ENGAGEMENTS).json()["results"]
    with django_assert_num_queries(3):
        versements = charge.get(VERSEMENTS).json()["results"]

    assert sorted(e["reference"] for e in engagements if e["engagement_origine"]) == ["D-0", "D-1", "D-2"]
    assert sorted(v["reference"] for v in versements if v["versement_origine"]) == ["A-0", "A-1", "A-2"]
