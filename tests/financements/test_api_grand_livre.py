"""POST/GET /api/v1/engagements/ and /api/v1/versements/: roles, refusals, field messages.

A subsidy is committed by a convention (POST /api/v1/conventions/, tests/api/test_conventions.py):
the writes here are on the investment envelope, the subsidy's ceilings through conventions.
"""

from decimal import Decimal

import pytest
from django.test import Client

from financements.models import Engagement, Enveloppe
from laureats.models import Projet
from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db
URL = "/api/v1/engagements/"


def client_for(role: str | None, **kwargs) -> Client:
    if role is None:
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Token {jeton(compte(role, **kwargs))}")


@pytest.fixture
def charge() -> Client:
    return client_for("charge")


def payload(**overrides) -> dict:
    return {
        "projet": "biovallee", "enveloppe": "investissement", "montant": "1000000.00", "date": "2024-03-01",
        "reference": "CP-2024-03", "motif": "Convention de financement signée", **overrides,
    }  # fmt: skip


def post(client: Client, url: str = URL, **data):
    return client.post(url, data, content_type="application/json")


def test_an_officer_records_a_commitment(charge):
    response = post(charge, **payload())

    assert response.status_code == 201
    body = response.json()
    assert body["montant"] == "1000000.00" and body["projet"] == "biovallee" and body["nature"] == "engagement"
    assert body["engage_projet_avant"] == "0.00" and body["engage_projet_apres"] == "1000000.00"
    assert Engagement.objects.get(uid=body["uid"]).auteur.username.startswith("charge")


def convention(montant: str, reference: str = "CP-2024-03", *, projet: str = "biovallee", date: str = "2024-03-01"):
    """The subsidy's commitment: a convention with the project's lead, one tranche of the whole amount."""
    lead = Projet.objects.get(slug=projet).chef_de_file.slug
    tranches = [{"date_prevue": date, "montant": montant, "condition": "À la signature"}]
    return {
        "projet": projet, "beneficiaire": lead, "objet": "Convention de financement", "date_signature": date,
        "reference": reference, "montant": montant, "tranches": tranches,
    }  # fmt: skip


def test_a_commitment_over_the_planned_subsidy_is_a_409_giving_the_headroom(charge):
    assert post(charge, "/api/v1/conventions/", **convention("5000000.00")).status_code == 201

    response = post(charge, "/api/v1/conventions/", **convention("800000.00", "CP-2024-04"))

    assert response.status_code == 409
    assert response.json()["reste_disponible"] == "700000.00"
    assert "il reste 700\u202f000,00 €" in response.json()["detail"]


@pytest.mark.parametrize("enveloppe", ["investissement", "subvention"])
def test_a_commitment_over_the_envelope_is_a_409(charge, enveloppe):
    Enveloppe.objects.filter(code=enveloppe).update(plafond=Decimal("100.00"))
    if enveloppe == "subvention":
        response = post(charge, "/api/v1/conventions/", **convention("100.01"))
    else:
        response = post(charge, **payload(montant="100.01"))
    assert response.status_code == 409 and response.json()["reste_disponible"] == "100.00"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("montant", "0"),
        ("montant", "-5"),
        ("montant", "douze"),
        ("montant", "10.123"),
        ("montant", "1" * 30),
        ("montant", "NaN"),
        ("projet", "projet-inconnu"),
        ("enveloppe", "pret"),
        ("date", "01/03/2024"),
        ("date", "2024-02-30"),
        ("reference", ""),
        ("motif", None),
    ],
)
def test_bad_input_is_a_400_with_a_message_on_the_field(charge, field, value):
    data = payload(**{field: value})
    if value is None:
        data.pop(field)

    response = post(charge, **data)

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Engagement.objects.exists()


def test_a_body_that_is_not_json_is_a_400(charge):
    response = charge.post(URL, "{montant", content_type="application/json")
    assert response.status_code == 400


def test_equity_beyond_the_potential_without_justification_is_a_400_on_that_field(charge):
    response = post(charge, **payload(enveloppe="investissement", montant="13000000.00"))
    assert response.status_code == 400 and "justification_depassement" in response.json()["errors"]

    response = post(
        charge, **payload(enveloppe="investissement", montant="13000000.00", justification_depassement="Tour élargi")
    )
    assert response.status_code == 201 and response.json()["depasse_potentiel"] is True


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("directeur", 403), ("partenaire", 403)])
def test_only_officers_write(role, status):
    assert post(client_for(role), **payload()).status_code == status
    assert not Engagement.objects.exists()


def test_a_revoked_token_is_refused():
    from comptes.services import jeton_create, jeton_revoke

    jeton_obj, clair = jeton_create(user=compte("charge"), nom="à révoquer")
    jeton_revoke(jeton=jeton_obj)

    response = post(Client(HTTP_AUTHORIZATION=f"Token {clair}"), **payload())
    assert response.status_code == 401


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("partenaire", 200), ("directeur", 200), ("charge", 200)])
def test_the_ledger_is_read_by_every_programme_role_each_within_its_scope(role, status):
    assert client_for(role).get(URL).status_code == status


def test_a_director_sees_every_region_with_their_own_first(charge):
    post(charge, "/api/v1/conventions/", **convention("1000.00", "OCCITANIE", projet="vilagil", date="2024-06-01"))
    post(charge, **payload(projet="biovallee", reference="AURA", date="2024-01-01"))
    directeur = client_for("directeur", regions=["84"])

    references = [e["reference"] for e in directeur.get(URL).json()["results"]]

    assert references == ["AURA", "OCCITANIE"]


def test_the_ledger_list_filters_by_project_envelope_region_and_dates(charge):
    post(charge, "/api/v1/conventions/", **convention("1000.00", "CP-2023-06", projet="vilagil", date="2023-06-01"))
    post(charge, "/api/v1/conventions/", **convention("1000.00", "CP-2024-06", date="2024-06-01"))
    post(charge, **payload(projet="biovallee", enveloppe="investissement", date="2024-07-01"))

    def count(**params):
        return charge.get(URL, params).json()["count"]

    assert count(projet="biovallee") == 2
    assert count(enveloppe="investissement") == 1
    assert count(region="76") == 1
    assert count(date_min="2024-01-01", date_max="2024-06-30") == 1
    assert charge.get(URL, {"date_min": "hier"}).status_code == 400


def test_the_ledger_list_query_count_is_pinned(charge, django_assert_num_queries):
    for i in range(3):
        post(charge, **payload(reference=f"R{i}", montant="1000.00"))
    # token, count, page (with project, region, envelope, author)
    with django_assert_num_queries(3):
        charge.get(URL)
    for i in range(5):
        post(charge, **payload(reference=f"S{i}", montant="1000.00"))
    with django_assert_num_queries(3):
        charge.get(URL)


def test_entries_are_never_edited_or_deleted_through_the_api(charge):
    uid = post(charge, **payload()).json()["uid"]
    for method in ("put", "patch", "delete"):
        assert getattr(charge, method)(f"{URL}{uid}/", {}, content_type="application/json").status_code == 405


def test_an_unknown_commitment_is_a_404(charge):
    assert charge.get(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert charge.get(f"{URL}pas-un-uuid/").status_code == 404


def test_a_release_and_a_disbursement_through_the_api(charge):
    uid = post(charge, **payload(montant="1000.00")).json()["uid"]

    versement = post(charge, "/api/v1/versements/", engagement=uid, montant="400.00", date="2024-04-01", reference="V1")
    assert versement.status_code == 201
    trop = post(charge, "/api/v1/versements/", engagement=uid, montant="600.01", date="2024-04-02", reference="V2")
    assert trop.status_code == 409 and trop.json()["reste_disponible"] == "600.00"

    liberation = post(
        charge, f"{URL}{uid}/desengagements/", montant="600.00", date="2024-05-01", reference="D1", motif="Fin"
    )
    assert liberation.status_code == 201 and liberation.json()["engagement_origine"] == uid

    annulation = post(
        charge, f"/api/v1/versements/{versement.json()['uid']}/annulations/",
        montant="100.00", date="2024-05-02", reference="A1", motif="Trop-perçu",
    )  # fmt: skip
    assert annulation.status_code == 201 and annulation.json()["verse_engagement_apres"] == "300.00"


def test_a_director_cannot_pay():
    assert post(client_for("directeur"), "/api/v1/versements/", engagement="x").status_code == 403


def test_region_figures_by_envelope_project_and_year(charge):
    post(charge, "/api/v1/conventions/", **convention("1000000.00", date="2023-05-01"))
    tranche = post(charge, "/api/v1/conventions/", **convention("500000.00", "B", date="2024-05-01")).json()[
        "tranches"
    ][0]
    post(charge, f"/api/v1/tranches/{tranche['id']}/versements/", montant="200000.00", date="2024-06-01", reference="V")

    body = charge.get("/api/v1/regions/84/financements/").json()

    subvention = next(e for e in body["enveloppes"] if e["code"] == "subvention")
    # Three projects in Auvergne-Rhône-Alpes: 5.7 + 6.9 + 6.1 M€ planned in their fiches.
    assert subvention["alloue"] == "18700000.00"
    assert subvention["engage"] == "1500000.00" and subvention["verse"] == "200000.00"
    assert subvention["reste_a_engager"] == "17200000.00" and subvention["reste_a_verser"] == "1300000.00"
    assert subvention["taux_versement"] == "13.33"
    assert [p["slug"] for p in body["projets"]][0] == "biovallee"
    assert {(a["annee"], a["enveloppe"], a["engage"], a["verse"]) for a in body["annees"]} == {
        (2023, "subvention", "1000000.00", "0.00"),
        (2024, "subvention", "500000.00", "200000.00"),
    }


@pytest.mark.parametrize(("role", "status"), [(None, 401), ("partenaire", 403), ("directeur", 200)])
def test_region_figures_are_for_officers_and_directors(role, status):
    assert client_for(role).get("/api/v1/regions/84/financements/").status_code == status


def test_an_unknown_region_is_a_404(charge):
    assert charge.get("/api/v1/regions/99/financements/").status_code == 404
