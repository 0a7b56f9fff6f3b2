"""The programme's figures on the home page and the envelopes API: each envelope, and both together.

Expected amounts are summed here from the fiches' rows and written out from the entries.
"""

import datetime
from decimal import Decimal

import pytest

from financements.models import Allocation, Enveloppe
from financements.selectors import Chiffres, enveloppe_chiffres, enveloppe_list, programme_chiffres
from laureats.models import Projet
from tests import grand_livre as services

pytestmark = pytest.mark.django_db
D = Decimal
ZERO = D("0.00")


def allouees(code: str) -> Decimal:
    return sum((a.montant for a in Allocation.objects.filter(enveloppe__code=code)), ZERO)


@pytest.fixture
def ecritures() -> None:
    engagement = services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=Enveloppe.objects.get(code="subvention"),
        montant=D("300000.00"), date=datetime.date(2023, 3, 1), reference="E1", motif="Convention", by=None,
    )  # fmt: skip
    services.versement_create(
        engagement=engagement, montant=D("120000.00"), date=datetime.date(2023, 6, 1), reference="V1", by=None
    )
    services.engagement_create(
        projet=Projet.objects.get(slug="vilagil"), enveloppe=Enveloppe.objects.get(code="investissement"),
        montant=D("2000000.00"), date=datetime.date(2023, 4, 1), reference="E2", motif="Convention", by=None,
    )  # fmt: skip


def test_each_envelope_carries_its_ceiling_what_the_fiches_promise_and_what_was_committed_and_paid(ecritures):
    enveloppes = list(enveloppe_list())

    assert [e.code for e in enveloppes] == ["subvention", "investissement"]  # smaller ceiling first
    subvention, investissement = enveloppes
    assert enveloppe_chiffres(subvention) == Chiffres(
        allouees("subvention"), D("300000.00"), D("120000.00"), Enveloppe.objects.get(code="subvention").plafond
    )
    assert enveloppe_chiffres(investissement) == Chiffres(
        allouees("investissement"), D("2000000.00"), ZERO, Enveloppe.objects.get(code="investissement").plafond
    )


def test_the_programme_totals_add_up_both_envelopes(ecritures):
    enveloppes, total = programme_chiffres()

    assert [(e.code, c) for e, c in enveloppes] == [(e.code, enveloppe_chiffres(e)) for e in enveloppe_list()]
    plafonds = sum((e.plafond for e in Enveloppe.objects.all()), ZERO)
    assert total == Chiffres(
        allouees("subvention") + allouees("investissement"), D("2300000.00"), D("120000.00"), plafonds
    )
    assert total.reste_a_engager == plafonds - D("2300000.00")


def test_an_envelope_without_any_fiche_has_nothing_allocated_rather_than_no_figure():
    Allocation.objects.filter(enveloppe__code="investissement").delete()

    investissement = enveloppe_list().get(code="investissement")

    assert investissement.total_alloue == ZERO
    assert enveloppe_chiffres(investissement).depassement_allocations == ZERO


def test_a_programme_without_envelopes_still_counts_in_euros_and_cents():
    Allocation.objects.all().delete()
    Enveloppe.objects.all().delete()

    enveloppes, total = programme_chiffres()

    assert enveloppes == []
    assert [str(montant) for montant in (total.alloue, total.engage, total.verse, total.plafond)] == ["0.00"] * 4


def test_the_figures_sent_to_the_api_carry_every_derived_figure_under_its_name():
    chiffres = Chiffres(alloue=D("800.00"), engage=D("200.00"), verse=D("50.00"))

    assert chiffres.as_dict(code="subvention") == {
        "code": "subvention",
        "alloue": D("800.00"),
        "engage": D("200.00"),
        "verse": D("50.00"),
        "reste_a_engager": D("600.00"),  # 800 - 200, measured against the fiches: no ceiling
        "reste_a_verser": D("150.00"),  # 200 - 50
        "taux_engagement": D("25.00"),  # 200 / 800
        "taux_versement": D("25.00"),  # 50 / 200
    }
