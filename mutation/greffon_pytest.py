"""pytest plugin for `make mutation`: one PostgreSQL database per pytest session, cloned from a template.

mutmut forks a process per mutant and each one runs a pytest session; with the
usual test database name two mutants run side by side would drop each other's
database. Each session here gets `test_<base>_<pid>`, created as a copy of the
template that mutation/lancer.py migrated once: cloning takes a fraction of a
second where the migrations take several. The 24 laureates are not in the
template: conftest.py loads them in every session with the mutated loader,
otherwise a mutant of laureats/chargement.py would be tested on data it did not write.
"""

import os

import pytest

BASE = "MUTATION_BASE"
MODELE = "MUTATION_BASE_MODELE"


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    base, modele = os.environ.get(BASE), os.environ.get(MODELE)
    if not (base and modele):
        return
    from django.conf import settings

    # Django's connection reads this same dict when pytest-django creates the test database.
    test = settings.DATABASES["default"].setdefault("TEST", {})
    test["NAME"] = f"test_{base}_{os.getpid()}"
    test["TEMPLATE"] = modele
