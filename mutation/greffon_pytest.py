"""pytest plugin for `make mutation`: one PostgreSQL database per pytest session, cloned from a template.

mutmut forks a process per mutant and each one runs a pytest session; with the
usual test database name two mutants run side by side would drop each other's
database. Each session here gets `test_<base>_<pid>`, created as a copy of the
template that mutation/lancer.py migrated once: cloning takes a fraction of a
second where the migrations take several. The 24 laureates are not in the
template: conftest.py loads them in every session with the mutated loader,
otherwise a mutant of a loader (<app>/chargement.py) would be tested on data it did not write.
"""

import os

import pytest

BASE = "MUTATION_BASE"
MODELE = "MUTATION_BASE_MODELE"
# Fixtures that open the test database (pytest-django's, and conftest.py's for the laureates).
FIXTURES_BASE = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server",
                 "django_db_setup", "programme_charge"}  # fmt: skip


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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests without the database first: a mutant they kill (pytest runs with -x) costs no database at all.

    pytest-django puts them last; among the others its order is kept (the sort is stable).
    """
    if not os.environ.get(MODELE):
        return

    def avec_base(item: pytest.Item) -> bool:
        return item.get_closest_marker("django_db") is not None or bool(FIXTURES_BASE & set(item.fixturenames))

    items.sort(key=avec_base)
