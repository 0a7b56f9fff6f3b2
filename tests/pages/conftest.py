import os

import pytest
from django.test import Client

from tests.factories import compte

# The browser tests check that every request goes to 127.0.0.1: the live server listens there.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def connecte(role: str, **kwargs) -> Client:
    client = Client()
    client.force_login(compte(role, **kwargs))
    return client


@pytest.fixture
def charge() -> Client:
    return connecte("charge")


@pytest.fixture
def directeur() -> Client:
    return connecte("directeur", regions=["84"])


@pytest.fixture
def partenaire() -> Client:
    return connecte("partenaire")
