"""The fiche's amounts in the edit form: typed the French way, never re-read when ambiguous."""

from decimal import Decimal

import pytest

from financements.models import Allocation
from laureats.models import Projet
from tests.pages.test_edition_projet import URL, formulaire

pytestmark = pytest.mark.django_db

EXEMPLE = "Saisissez un montant en euros, par exemple 1\u202f000,50"


@pytest.mark.parametrize(
    ("tape", "attendu"),
    [
        ("1 000,50", Decimal("1000.50")),
        ("1000,50", Decimal("1000.50")),
        ("1\u00a0000\u00a0000", Decimal("1000000.00")),
        ("1\u202f000\u202f000", Decimal("1000000.00")),
        ("1 000 000", Decimal("1000000.00")),
        ("1000.50", Decimal("1000.50")),
    ],
)
def test_the_budget_and_the_allocations_read_french_amounts_exactly(charge, tape, attendu):
    response = charge.post(URL, formulaire(budget_previsionnel=tape, subvention=tape, investissement=tape))

    assert response.status_code == 302
    assert Projet.objects.get(slug="biovallee").budget_previsionnel == attendu
    montants = Allocation.objects.filter(projet__slug="biovallee").values_list("montant", flat=True)
    assert sorted(montants) == [attendu, attendu]


@pytest.mark.parametrize(
    "tape", ["1.000.000", "1,000.50", "1.000,50", "1e3", "1E3", "\uff11\uff12\uff13", "\u0661\u0662\u0663", "NaN", "-5"]
)
@pytest.mark.parametrize("champ", ["budget_previsionnel", "subvention", "investissement"])
def test_an_ambiguous_amount_is_refused_with_an_example_and_nothing_changes(charge, champ, tape):
    avant = Projet.objects.get(slug="biovallee").budget_previsionnel
    allocations = sorted(Allocation.objects.filter(projet__slug="biovallee").values_list("montant", flat=True))

    response = charge.post(URL, formulaire(**{champ: tape}))

    assert response.status_code == 200
    assert response.context["form"].errors[champ][0].startswith(EXEMPLE)
    assert Projet.objects.get(slug="biovallee").budget_previsionnel == avant
    assert sorted(Allocation.objects.filter(projet__slug="biovallee").values_list("montant", flat=True)) == allocations


def test_the_form_shows_the_stored_amounts_the_french_way(charge):
    page = charge.get(URL).content.decode()
    budget = Projet.objects.get(slug="biovallee").budget_previsionnel
    entier = f"{int(budget):,}".replace(",", "\u202f")
    assert f'value="{entier},{int(budget * 100) % 100:02d}"' in page
