"""The hostile-input suite's own checks fail when they should: a half-write, a 500, a route it cannot fill."""

import pytest
from django.http import HttpResponse, HttpResponseBadRequest
from django.test import override_settings
from django.urls import path

from territoires.models import Label
from tests.securite.routes import Route
from tests.securite.test_aucune_erreur_serveur import Verificateur, _requete_snapshot, valeurs_reelles

pytestmark = pytest.mark.django_db


def demi_ecriture(request):
    """A view that writes, then refuses: what the suite must catch."""
    Label.objects.create(slug="demi-ecriture", nom="Demi-écriture")
    return HttpResponseBadRequest("refusé")


def panne(request):
    raise RuntimeError("panne")


def refus_propre(request):
    return HttpResponse("refusé", status=400)


urlpatterns = [
    path("demi-ecriture/", demi_ecriture),
    path("panne/", panne),
    path("refus-propre/", refus_propre),
]


@pytest.fixture
def verif():
    route = Route(gabarit="/demi-ecriture/", nom="-", callback=demi_ecriture)
    with override_settings(ROOT_URLCONF=__name__):
        yield Verificateur({"maximums": _requete_snapshot(avec_comptes=False), "sessions": {}}, route)


def test_a_refused_write_that_wrote_is_a_failure(verif):
    verif.envoyer("anonyme", "post", "/demi-ecriture/", data="x=1", content_type="application/x-www-form-urlencoded")

    assert len(verif.echecs) == 1
    assert "territoires_label" in verif.echecs[0]


def test_a_500_is_a_failure(verif):
    verif.envoyer("anonyme", "get", "/panne/")

    assert verif.echecs and verif.echecs[0].startswith("500")


def test_a_clean_refusal_passes(verif):
    verif.envoyer("anonyme", "post", "/refus-propre/", data="{}", content_type="application/json")

    assert verif.echecs == []


def test_a_route_with_a_parameter_the_suite_does_not_know_cannot_be_filled():
    route = Route(gabarit="/nouveau/{inconnu}/", nom="nouveau", callback=None, parametres=["inconnu"])

    with pytest.raises(KeyError, match="inconnu"):
        valeurs_reelles(route, {})
