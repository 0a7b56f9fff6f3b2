"""A filter naming a row by its identifier (`?indicateur=<code>`) reads that row's key, not the whole row."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from indicateurs.models import Indicateur

pytestmark = pytest.mark.django_db


def test_the_indicator_named_by_the_filter_is_looked_up_by_its_key_alone():
    code = Indicateur.objects.order_by("pk").values_list("code", flat=True).first()
    with CaptureQueriesContext(connection) as requetes:
        reponse = Client().get(f"/api/v1/mesures/?indicateur={code}")
    assert reponse.status_code == 200
    recherche = [q["sql"] for q in requetes.captured_queries if q["sql"].startswith('SELECT "indicateurs_indicateur"')]
    assert len(recherche) == 1
    # Its id and code: the texts, units and targets of an indicator are not read to filter by it.
    assert '"indicateurs_indicateur"."libelle"' not in recherche[0], recherche[0]


def test_an_unknown_or_malformed_identifier_is_still_a_french_400():
    inconnu = Client().get("/api/v1/mesures/?indicateur=nexiste-pas")
    assert inconnu.status_code == 400 and inconnu.json()["errors"]["indicateur"]
    mal_forme = Client().get("/api/v1/mesures/?indicateur=pas%20un%20code")
    assert mal_forme.status_code == 400 and "Identifiant invalide" in mal_forme.json()["errors"]["indicateur"][0]
