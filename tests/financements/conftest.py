"""Fixtures shared by the ledger tests: two laureates of the press kit and the subsidy envelope."""

import pytest

from financements.models import Enveloppe
from laureats.models import Projet


@pytest.fixture
def biovallee() -> Projet:
    return Projet.objects.get(slug="biovallee")


@pytest.fixture
def vilagil() -> Projet:
    return Projet.objects.get(slug="vilagil")


@pytest.fixture
def subvention() -> Enveloppe:
    return Enveloppe.objects.get(code="subvention")
