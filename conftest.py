"""Shared fixtures: the 24 laureates are loaded once into the test database."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from portail.chargement import programme_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Regular tests run in a transaction rolled back after each test, so the
    # press-kit data loaded here once is seen by all of them unchanged.
    with django_db_blocker.unblock():
        programme_load()


@pytest.fixture(autouse=True)
def cache_vide():
    """The cache outlives a test (Redis under CACHE_URL, as in CI and production): each test starts and ends empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def programme_charge(transactional_db):
    """For transactional tests: the flush after each one empties the tables."""
    programme_load()


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("nécessite PostgreSQL (verrous de ligne, contraintes sous concurrence)")


@pytest.fixture
def api_client() -> Client:
    return Client(HTTP_ACCEPT="application/json")
