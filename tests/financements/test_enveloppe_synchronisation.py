"""GET /api/v1/enveloppes/?updated_since=: every ledger write marks its envelope changed.

A client syncing incrementally asks for the envelopes changed since its last
call; an envelope whose totals moved without its timestamp would keep the
client's totals stale forever.
"""

import datetime
from decimal import Decimal

import pytest

from financements.models import Allocation, Enveloppe
from laureats.models import Projet
from tests import grand_livre as services

pytestmark = pytest.mark.django_db
JOUR = datetime.date(2024, 3, 1)


def changees_depuis(api_client, moment: datetime.datetime) -> list[str]:
    response = api_client.get("/api/v1/enveloppes/", {"updated_since": moment.isoformat()})
    assert response.status_code == 200
    corps = response.json()
    lignes = corps["results"] if isinstance(corps, dict) else corps
    return [ligne["code"] for ligne in lignes]


def ecritures(projet: Projet, enveloppe: Enveloppe) -> list:
    """The four ledger writes, each on the entry the previous ones left."""
    return [
        lambda: services.engagement_create(
            projet=projet, enveloppe=enveloppe, montant=Decimal("1000.00"), date=JOUR, reference="CP-1",
            motif="Convention", by=None,
        ),
        lambda: services.desengagement_create(
            engagement=projet.engagements.get(reference="CP-1"), montant=Decimal("100.00"), date=JOUR,
            reference="D-1", motif="Abandon", by=None,
        ),
        lambda: services.versement_create(
            engagement=projet.engagements.get(reference="CP-1"), montant=Decimal("300.00"), date=JOUR,
            reference="V-1", by=None,
        ),
        lambda: services.versement_cancel(
            versement=projet.engagements.get(reference="CP-1").versements.get(), montant=Decimal("50.00"),
            date=JOUR, reference="A-1", motif="Trop-perçu", by=None,
        ),
    ]  # fmt: skip


def test_each_ledger_write_puts_its_envelope_in_the_incremental_sync(api_client, subvention):
    for ecrire in ecritures(Projet.objects.get(slug="biovallee"), subvention):
        # Within one test transaction the database clock stands still: the previous write's mark
        # equals the next one's. Older marks make each write's own visible.
        Enveloppe.objects.update(modifie_le=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
        depuis = datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC)
        assert changees_depuis(api_client, depuis) == []

        ecrire()

        assert changees_depuis(api_client, depuis) == ["subvention"]


def test_each_ledger_write_puts_its_project_in_the_incremental_sync(api_client, subvention):
    """A project's figures include its allocations': a write that moves them marks the project changed."""
    for ecrire in ecritures(Projet.objects.get(slug="biovallee"), subvention):
        ancienne = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
        Projet.objects.update(modifie_le=ancienne)
        Allocation.objects.update(modifie_le=ancienne)
        depuis = datetime.datetime(2024, 1, 2, tzinfo=datetime.UTC)
        projets = api_client.get("/api/v1/projets/", {"updated_since": depuis.isoformat()}).json()["results"]
        assert projets == []

        ecrire()

        projets = api_client.get("/api/v1/projets/", {"updated_since": depuis.isoformat()}).json()["results"]
        assert [p["slug"] for p in projets] == ["biovallee"]
