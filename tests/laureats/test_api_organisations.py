"""GET /api/v1/organisations/: the legal identifiers, establishments included, in constant queries."""

import pytest

from laureats import services
from laureats.models import Organisation
from portail.chargement import programme_load

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations/"


@pytest.fixture
def dijon() -> Organisation:
    organisation = Organisation.objects.get(slug="dijon-metropole")
    services.organisation_identifiants_update(organisation=organisation, siren="552100554", rna="", by=None)
    services.etablissement_create(organisation=organisation, siret="55210055400013", libelle="Siège", by=None)
    services.etablissement_create(organisation=organisation, siret="552 100 554 00021", libelle="", by=None)
    return organisation


def test_an_organisation_carries_its_siren_rna_and_establishments(api_client, dijon):
    body = api_client.get(f"{URL}dijon-metropole/").json()

    assert (body["siren"], body["rna"]) == ("552100554", "")
    assert body["etablissements"] == [
        {"siret": "55210055400013", "libelle": "Siège"},
        {"siret": "55210055400021", "libelle": ""},
    ]


def test_the_loaded_organisations_have_empty_identifiers(api_client):
    results = api_client.get(URL, {"page_size": 100}).json()["results"]

    assert results and {(o["siren"], o["rna"]) for o in results} == {("", "")}
    assert all(o["etablissements"] == [] for o in results)


def test_the_list_reads_the_establishments_in_one_query_whatever_their_number(
    api_client, dijon, django_assert_num_queries
):
    # count, page of organisations with their number of projects, establishments
    with django_assert_num_queries(3):
        body = api_client.get(URL, {"page_size": 100}).json()
    assert next(o for o in body["results"] if o["slug"] == "dijon-metropole")["etablissements"]


def test_an_establishment_added_shows_in_the_incremental_sync(api_client):
    organisation = Organisation.objects.get(slug="dijon-metropole")
    Organisation.objects.update(modifie_le="2020-01-01T00:00:00Z")

    services.etablissement_create(organisation=organisation, siret="55210055400013", libelle="", by=None)

    slugs = [o["slug"] for o in api_client.get(URL, {"updated_since": "2021-01-01"}).json()["results"]]
    assert slugs == ["dijon-metropole"]


def test_reloading_the_press_kit_keeps_the_identifiers_an_officer_entered(dijon):
    """The loader never fills an identifier, nor clears one."""
    programme_load()

    dijon.refresh_from_db()
    assert dijon.siren == "552100554" and dijon.etablissements.count() == 2
    assert not Organisation.objects.exclude(pk=dijon.pk).exclude(siren="", rna="").exists()
