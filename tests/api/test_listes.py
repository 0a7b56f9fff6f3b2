"""Lists: incremental sync with updated_since, CSV of any list, filters, stable identifiers."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from financements.models import Allocation
from laureats.models import Organisation, Projet
from tests import grand_livre as services
from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db
LISTS = [
    "/api/v1/projets/", "/api/v1/organisations/", "/api/v1/regions/", "/api/v1/thematiques/",
    "/api/v1/types-territoire/", "/api/v1/enveloppes/", "/api/v1/engagements/", "/api/v1/versements/",
    "/api/v1/conventions/", "/api/v1/tranches/",
]  # fmt: skip


@pytest.fixture
def charge() -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {jeton(compte('charge'))}")


@pytest.mark.parametrize("url", LISTS)
def test_every_list_accepts_updated_since_and_refuses_a_bad_date(charge, url):
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    # A sync page: nothing yet, no count (keyset pagination), no next page.
    assert charge.get(url, {"updated_since": future}).json() == {
        "count": None, "next": None, "previous": None, "results": []
    }  # fmt: skip
    response = charge.get(url, {"updated_since": "hier"})
    assert response.status_code == 400 and "updated_since" in response.json()["errors"]


def test_updated_since_returns_only_what_changed(charge):
    moment = timezone.now()
    projet = Projet.objects.get(slug="vilagil")
    projet.population_concernee += 1
    projet.save()
    allocation = Allocation.objects.get(projet__slug="biovallee", enveloppe__code="subvention")
    services.allocation_update(allocation=allocation, montant=Decimal("5800000.00"), by=None)

    slugs = {p["slug"] for p in charge.get("/api/v1/projets/", {"updated_since": moment.isoformat()}).json()["results"]}

    assert slugs == {"vilagil", "biovallee"}
    assert len(charge.get("/api/v1/projets/", {"updated_since": moment.date().isoformat()}).json()["results"]) >= 2


def test_a_ledger_entry_appears_in_the_incremental_sync_of_the_ledger(charge):
    moment = timezone.now()
    services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=Allocation.objects.first().enveloppe,
        montant=Decimal("5.00"), date=datetime.date(2024, 1, 1), reference="R", motif="M", by=None,
    )  # fmt: skip
    assert len(charge.get("/api/v1/engagements/", {"updated_since": moment.isoformat()}).json()["results"]) == 1


@pytest.mark.parametrize("url", LISTS)
def test_every_list_exists_in_csv(charge, url):
    response = charge.get(url, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_the_csv_of_projects_flattens_nested_fields():
    response = Client().get("/api/v1/projets/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))

    assert len(rows) == 24
    biovallee = next(r for r in rows if r["slug"] == "biovallee")
    assert biovallee["region.code"] == "84" and biovallee["chef_de_file.nom"] == "Association Biovallée"
    assert biovallee["subvention_prevue"] == "5700000.00"
    assert json.loads(biovallee["thematiques"]) == ["Transition écologique et énergétique", "Agroécologie"]


def test_organisations_are_found_by_siren_and_name():
    Organisation.objects.filter(slug="dijon-metropole").update(siren="242100410")
    assert (
        Client().get("/api/v1/organisations/", {"siren": "242100410"}).json()["results"][0]["nom"] == "Dijon Métropole"
    )
    assert Client().get("/api/v1/organisations/", {"search": "Biovallée"}).json()["count"] == 1
    assert Client().get("/api/v1/organisations/", {"search": "biovallee"}).json()["count"] == 1


def test_regions_carry_their_insee_code_and_number_of_laureates(django_assert_num_queries):
    with django_assert_num_queries(3):
        regions = Client().get("/api/v1/regions/", {"page_size": 100}).json()["results"]
    by_code = {r["code"]: r for r in regions}
    assert len(regions) == 19 and by_code["76"]["nb_projets"] == 3 and by_code["988"]["nb_projets"] == 1
    assert by_code["53"]["directions_regionales"] == ["Direction régionale Bretagne"]


def test_themes_list_their_spelling_variants():
    theme = Client().get("/api/v1/thematiques/transition-ecologique-et-energetique/").json()
    assert theme["variantes"] == ["Transition énergétique et écologique"]
    assert theme["nb_projets"] == 15


def test_projects_are_filtered_and_ordered_as_documented():
    body = Client().get("/api/v1/projets/", {"ordering": "-population_concernee", "page_size": 3}).json()
    populations = [p["population_concernee"] for p in body["results"]]
    assert populations == sorted(populations, reverse=True)
    assert Client().get("/api/v1/projets/", {"ordering": "inconnu"}).status_code == 200


def test_an_amount_sent_as_a_json_number_is_refused_for_its_float_rounding():
    client = Client(HTTP_AUTHORIZATION=f"Token {jeton(compte('charge'))}")
    response = client.post(
        "/api/v1/engagements/",
        {"projet": "biovallee", "enveloppe": "subvention", "montant": 1000.1, "date": "2024-01-01",
         "reference": "R", "motif": "M"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400 and "chaîne" in response.json()["errors"]["montant"][0]


@pytest.mark.parametrize("query", ["page_size=", "page_size=0", "page=abc", "region=84&region=53", "search=a%00b"])
def test_query_strings_the_filters_would_misread_are_a_400(query):
    response = Client().get(f"/api/v1/projets/?{query}")
    assert response.status_code == 400


def test_a_project_whose_texts_or_partners_change_is_in_the_sync(charge):
    """Objectives, impacts and partnerships are part of a project's record: writing them touches it."""
    from laureats import services as laureats

    for ecrire in (
        lambda p: laureats.objectif_create(projet=p, texte="Un objectif de plus", by=None),
        lambda p: laureats.partenariat_add(projet=p, organisation=Organisation.objects.exclude(partenariats__projet=p)
                                           .first(), role="partenaire", by=None),
    ):  # fmt: skip
        moment = timezone.now()
        ecrire(Projet.objects.get(slug="vilagil"))
        page = charge.get("/api/v1/projets/", {"updated_since": moment.isoformat()}).json()
        assert [p["slug"] for p in page["results"]] == ["vilagil"]
