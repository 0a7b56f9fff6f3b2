"""Races on PostgreSQL: many officers committing or paying at the same moment.

Real transactions, real threads, each with its own connection; nothing mocked.
"""

import datetime
import random
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import F, Sum

from financements.models import Allocation, Engagement, Enveloppe, Versement
from laureats.models import Projet
from tests import grand_livre as services
from tests.factories import compte

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]

THREADS = 24
ROUNDS = 20
MONTANT = Decimal("10000.00")
JOUR = datetime.date(2025, 1, 15)


def _all_at_once(work) -> list[str]:
    """Run `work` in THREADS threads released together; return each outcome."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            # Connect first, so that the transactions really start together.
            connection.ensure_connection()
            barrier.wait(timeout=30)
            work(i)
            outcome = "accepte"
        except services.PlafondDepasse:
            outcome = "refuse"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            outcome = f"erreur: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == THREADS, "a thread did not finish"
    return outcomes


@pytest.fixture
def charge(programme_charge, postgresql):
    return compte("charge")


def test_concurrent_commitments_never_pass_the_envelope_ceiling(charge):
    subvention = Enveloppe.objects.get(code="subvention")
    projet = Projet.objects.get(slug="lyon-saint-etienne-industrie-integree")  # 10 M€ planned subsidy
    rng = random.Random(20250115)

    for tour in range(ROUNDS):
        headroom = rng.randint(1, THREADS - 4)
        # Leave room for exactly `headroom` commitments of MONTANT on the envelope.
        Enveloppe.objects.filter(pk=subvention.pk).update(plafond=F("montant_engage") + MONTANT * headroom)
        before = Engagement.objects.count()

        outcomes = _all_at_once(
            lambda i, tour=tour: services.engagement_create(
                projet=projet, enveloppe=subvention, montant=MONTANT, date=JOUR,
                reference=f"COURSE-{tour}-{i}", motif="Test de concurrence", by=charge,
            )
        )  # fmt: skip

        assert set(outcomes) <= {"accepte", "refuse"}, outcomes
        assert outcomes.count("accepte") == headroom
        subvention.refresh_from_db()
        assert subvention.montant_engage == subvention.plafond
        assert Engagement.objects.count() - before == headroom
        total = Engagement.objects.filter(enveloppe=subvention).aggregate(s=Sum("montant"))["s"]
        assert total == subvention.montant_engage


def test_concurrent_commitments_never_pass_the_projects_planned_subsidy(charge):
    subvention = Enveloppe.objects.get(code="subvention")
    projet = Projet.objects.get(slug="biovallee")
    allocation = Allocation.objects.get(projet=projet, enveloppe=subvention)
    rng = random.Random(5700000)

    for tour in range(ROUNDS):
        headroom = rng.randint(1, THREADS - 4)
        Allocation.objects.filter(pk=allocation.pk).update(montant=F("montant_engage") + MONTANT * headroom)

        outcomes = _all_at_once(
            lambda i, tour=tour: services.engagement_create(
                projet=projet, enveloppe=subvention, montant=MONTANT, date=JOUR,
                reference=f"COURSE-{tour}-{i}", motif="Test de concurrence", by=charge,
            )
        )  # fmt: skip

        assert set(outcomes) <= {"accepte", "refuse"}, outcomes
        assert outcomes.count("accepte") == headroom
        allocation.refresh_from_db()
        assert allocation.montant_engage == allocation.montant


def test_concurrent_disbursements_never_pass_the_commitment(charge):
    projet = Projet.objects.get(slug="vilagil")
    subvention = Enveloppe.objects.get(code="subvention")

    for round_ in range(ROUNDS // 2):
        payable = random.Random(round_).randint(1, THREADS - 4)
        engagement = services.engagement_create(
            projet=projet, enveloppe=subvention, montant=MONTANT * payable, date=JOUR,
            reference=f"ENG-{round_}", motif="Test", by=charge,
        )  # fmt: skip

        outcomes = _all_at_once(
            lambda i, engagement=engagement, round_=round_: services.versement_create(
                engagement=engagement, montant=MONTANT, date=JOUR, reference=f"V-{round_}-{i}", by=charge
            )
        )

        assert set(outcomes) <= {"accepte", "refuse"}, outcomes
        assert outcomes.count("accepte") == payable
        paid = Versement.objects.filter(engagement=engagement).aggregate(s=Sum("montant"))["s"]
        assert paid == engagement.montant
    assert connection.vendor == "postgresql"


def _refus_de_reference(work, refus: list[str]):
    """Run `work`; a refusal on the reference is recorded, anything else is the outcome itself."""

    def run(i: int) -> None:
        try:
            work(i)
        except ValidationError as exc:
            refus.extend(exc.message_dict.get("reference", [repr(exc)]))
            raise services.PlafondDepasse("refusée", Decimal("0")) from exc

    return run


def test_concurrent_entries_with_one_reference_on_several_projects_keep_one(charge):
    subvention = Enveloppe.objects.get(code="subvention")
    projets = list(Projet.objects.filter(allocations__enveloppe=subvention, allocations__montant__gte=MONTANT * 2))
    refus: list[str] = []

    engagements = _all_at_once(
        _refus_de_reference(
            lambda i: services.engagement_create(
                projet=projets[i % len(projets)], enveloppe=subvention, montant=MONTANT, date=JOUR,
                reference="CP-COURSE", motif="Test de concurrence", by=charge,
            ),
            refus,
        )
    )  # fmt: skip

    assert sorted(engagements) == ["accepte"] + ["refuse"] * (THREADS - 1)
    assert len(refus) == THREADS - 1
    premiere = "La référence CP-COURSE est déjà utilisée dans l'enveloppe Subventions"
    assert all(m.startswith(premiere) for m in refus), refus
    assert Engagement.objects.filter(reference="CP-COURSE").count() == 1
    assert Enveloppe.objects.get(pk=subvention.pk).montant_engage == MONTANT

    # Disbursements: each project's own commitment, one payment reference for all.
    payes = [
        services.engagement_create(
            projet=projet, enveloppe=subvention, montant=MONTANT, date=JOUR, reference=f"CP-{projet.pk}",
            motif="Test", by=charge,
        )
        for projet in projets
    ]  # fmt: skip
    refus.clear()
    versements = _all_at_once(
        _refus_de_reference(
            lambda i: services.versement_create(
                engagement=payes[i % len(payes)], montant=Decimal("1.00"), date=JOUR, reference="V-COURSE",
                by=charge,
            ),
            refus,
        )
    )  # fmt: skip

    assert sorted(versements) == ["accepte"] + ["refuse"] * (THREADS - 1)
    assert all(m.startswith("La référence V-COURSE est déjà utilisée dans l'enveloppe Subventions") for m in refus)
    assert Versement.objects.filter(reference="V-COURSE").count() == 1
    assert Enveloppe.objects.get(pk=subvention.pk).montant_verse == Decimal("1.00")
