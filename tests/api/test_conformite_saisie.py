"""Request values are held to the schema's own patterns: what the schema refuses, the API refuses.

A client that checks its values against the schema must never see a value it would
refuse recorded, nor a value it accepts refused for its form.
"""

import pytest

from config.saisie import DecimalChaineField
from financements.api.serializers import (
    AvenantInputSerializer,
    ConventionInputSerializer,
    ConventionUpdateSerializer,
    EngagementInputSerializer,
    MouvementInputSerializer,
    TrancheInputSerializer,
    TrancheVersementInputSerializer,
    VersementInputSerializer,
)
from indicateurs.api.serializers import MesureCreateSerializer
from indicateurs.models import Mesure
from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db
URL = "/api/v1/mesures/"
BIOVALLEE = "biovallee-production-energie-locale"  # Association Biovallée leads this project
ENTREES = {
    "MesureCreate": MesureCreateSerializer,
    "EngagementInput": EngagementInputSerializer,
    "MouvementInput": MouvementInputSerializer,
    "VersementInput": VersementInputSerializer,
    "ConventionInput": ConventionInputSerializer,
    "PatchedConventionUpdate": ConventionUpdateSerializer,
    "TrancheInput": TrancheInputSerializer,
    "AvenantInput": AvenantInputSerializer,
    "TrancheVersementInput": TrancheVersementInputSerializer,
}


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    from django.test import Client

    with django_db_blocker.unblock():
        return Client().get("/api/schema/?format=json").json()


def _post(client, partenaire, valeur: str):
    corps = {"indicateur": BIOVALLEE, "date": "2024-12-31", "valeur": valeur, "source": "Observatoire régional"}
    return client.post(URL, corps, content_type="application/json", HTTP_AUTHORIZATION=f"Token {jeton(partenaire)}")


@pytest.mark.parametrize(
    "valeur",
    [
        "1e3",  # the example: an exponent
        " 412.5",  # spaces and a line break around the number: the pattern is anchored
        "412.5 ",
        "412.5\n",
        "0000000000000412.5",  # 18 digits before the point where the schema allows 14
    ],
)
def test_a_value_the_schema_pattern_refuses_is_a_400_in_french_and_nothing_is_recorded(api_client, valeur):
    partenaire = compte("partenaire")
    avant = Mesure.objects.count()

    response = _post(api_client, partenaire, valeur)

    assert response.status_code == 400
    assert "Un nombre décimal est attendu" in response.content.decode()
    assert Mesure.objects.count() == avant


def test_the_same_value_written_plainly_is_recorded(api_client):
    assert _post(api_client, compte("partenaire"), "412.5").status_code == 201


@pytest.mark.parametrize(("composant", "serializer"), ENTREES.items())
def test_each_decimal_field_checks_the_very_pattern_the_schema_declares(schema, composant, serializer):
    champs = {nom: champ for nom, champ in serializer().fields.items() if isinstance(champ, DecimalChaineField)}
    assert champs
    for nom, champ in champs.items():
        declare = schema["components"]["schemas"][composant]["properties"][nom]["pattern"]
        assert champ.motif.pattern == declare


@pytest.mark.parametrize(("composant", "serializer"), ENTREES.items())
def test_every_text_field_with_a_pattern_refuses_what_it_does_not_match(schema, composant, serializer):
    """`\\S` on the required texts: spaces alone, ECMAScript's whitespace included, are refused."""
    blancs = " \t\n\u00a0\u2003\u3000\ufeff"  # ECMAScript's \s: what the schema's `\S` does not match
    proprietes = schema["components"]["schemas"][composant]["properties"]
    for nom, propriete in proprietes.items():
        if propriete.get("pattern") != "\\S":
            continue
        entree = serializer(data={nom: blancs})
        assert not entree.is_valid()
        assert nom in entree.errors, f"{composant}.{nom} accepte {blancs!r}"
