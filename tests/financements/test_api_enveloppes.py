"""GET /api/v1/enveloppes/: ceilings and computed figures, over-allocation shown."""

import pytest

pytestmark = pytest.mark.django_db


def _enveloppes(client) -> dict[str, dict]:
    response = client.get("/api/v1/enveloppes/")
    assert response.status_code == 200
    return {e["code"]: e for e in response.json()["results"]}


def test_each_envelope_has_its_ceiling_and_the_sum_of_the_fiches(api_client):
    enveloppes = _enveloppes(api_client)

    subvention = enveloppes["subvention"]
    assert subvention["plafond"] == "150000000.00"
    # The fiches' planned subsidies add up to 151.15 M€: more than the envelope.
    assert subvention["total_alloue"] == "151150000.00"
    assert subvention["allocations_depassent_plafond"] is True
    assert subvention["depassement_allocations"] == "1150000.00"

    investissement = enveloppes["investissement"]
    assert investissement["plafond"] == "300000000.00"
    assert investissement["total_alloue"] == "528400000.00"
    assert investissement["depassement_allocations"] == "228400000.00"


def test_with_an_empty_ledger_nothing_is_committed_and_everything_is_left(api_client):
    subvention = _enveloppes(api_client)["subvention"]
    assert (subvention["engage"], subvention["verse"]) == ("0.00", "0.00")
    assert subvention["reste_a_engager"] == "150000000.00"
    assert subvention["taux_engagement"] == "0.00"


def test_the_allocated_total_is_computed_from_the_allocations(api_client):
    from financements.models import Allocation

    allocation = Allocation.objects.get(projet__slug="biovallee", enveloppe__code="subvention")
    allocation.montant -= 700_000
    allocation.save()

    assert _enveloppes(api_client)["subvention"]["total_alloue"] == "150450000.00"


def test_an_envelope_is_read_by_its_code_and_an_unknown_code_is_a_404(api_client):
    assert api_client.get("/api/v1/enveloppes/subvention/").json()["plafond"] == "150000000.00"
    assert api_client.get("/api/v1/enveloppes/inconnue/").status_code == 404


def test_the_envelope_list_query_count_is_pinned(api_client, django_assert_num_queries):
    with django_assert_num_queries(2):  # count, envelopes with their allocated totals
        api_client.get("/api/v1/enveloppes/")
