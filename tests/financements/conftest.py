"""Fixtures shared by the ledger tests: two laureates of the press kit and the subsidy envelope."""

import pytest
from django.db import connection, models

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


@pytest.fixture
def stockage_par_reference_inverse():
    """Rewrite a ledger table with its rows stored by reference, last first (PostgreSQL).

    A table rewrite (CLUSTER, pg_repack) stores rows in another order than they were
    written; an order that relies on the storage then shows. The ledger refuses UPDATE,
    so rewriting the table is the one way its rows move.
    """

    def reecrire(modele: type[models.Model]) -> None:
        table = modele._meta.db_table
        with connection.cursor() as curseur:
            # Deferred foreign-key checks would forbid the index in this transaction.
            curseur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            curseur.execute(f"CREATE INDEX {table}_reference_inverse ON {table} (reference DESC)")
            curseur.execute(f"CLUSTER {table} USING {table}_reference_inverse")

    return reecrire
