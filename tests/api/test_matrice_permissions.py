"""The permission matrix of the README, checked route by route, role by role, own and other's object.

What a role may not see is absent from lists and a 404 on detail (no existence leak).
"""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from financements.models import Enveloppe
from laureats.models import Projet
from tests import grand_livre as services
from tests.factories import compte, jeton

pytestmark = pytest.mark.django_db
ROLES = ["anonyme", "partenaire", "directeur", "charge"]


@pytest.fixture
def clients() -> dict[str, Client]:
    """One client per role; the partner belongs to Biovallée's lead organisation."""
    clients = {"anonyme": Client()}
    for role in ROLES[1:]:
        clients[role] = Client(HTTP_AUTHORIZATION=f"Token {jeton(compte(role))}")
    return clients


@pytest.fixture
def ecritures() -> dict[str, dict]:
    """On Biovallée (the partner's) and on Vilagil (not theirs): a commitment and a disbursement of
    equity, and a subsidy convention with one tranche, paid in part."""
    investissement = Enveloppe.objects.get(code="investissement")
    out = {}
    for slug in ("biovallee", "vilagil"):
        projet = Projet.objects.get(slug=slug)
        engagement = services.engagement_create(
            projet=projet, enveloppe=investissement, montant=Decimal("1000.00"),
            date=datetime.date(2024, 1, 1), reference=f"E-{slug}", motif="M", by=None,
        )  # fmt: skip
        versement = services.versement_create(
            engagement=engagement,
            montant=Decimal("10.00"),
            date=datetime.date(2024, 2, 1),
            reference=f"V-{slug}",
            by=None,
        )
        convention = services.convention_create(
            projet=projet, beneficiaire=projet.chef_de_file, objet="Objet", date_signature=datetime.date(2024, 1, 1),
            reference=f"C-{slug}", montant=Decimal("1000.00"), by=None,
            tranches=[{"date_prevue": datetime.date(2024, 1, 1), "montant": Decimal("1000.00"), "condition": "C"}],
        )  # fmt: skip
        tranche = convention.tranches.get()
        services.tranche_pay(tranche=tranche, montant=Decimal("10.00"), date=datetime.date(2024, 2, 1),
                             reference=f"VT-{slug}", by=None)  # fmt: skip
        out[slug] = {
            "engagement": str(engagement.uid),
            "versement": str(versement.uid),
            "convention": str(convention.uid),
            "tranche": str(tranche.pk),
        }
    return out


PUBLIC_READS = [
    "/api/v1/projets/",
    "/api/v1/projets/biovallee/",
    "/api/v1/organisations/",
    "/api/v1/organisations/association-biovallee/",
    "/api/v1/regions/",
    "/api/v1/regions/84/",
    "/api/v1/thematiques/",
    "/api/v1/thematiques/agroecologie/",
    "/api/v1/types-territoire/",
    "/api/v1/types-territoire/metropole/",
    "/api/v1/enveloppes/",
    "/api/v1/enveloppes/subvention/",
]


@pytest.mark.parametrize("url", PUBLIC_READS)
@pytest.mark.parametrize("role", ROLES)
def test_the_programme_public_data_is_readable_by_every_role(clients, role, url):
    assert clients[role].get(url).status_code == 200


@pytest.mark.parametrize(
    ("role", "status"), [("anonyme", 401), ("partenaire", 403), ("directeur", 200), ("charge", 200)]
)
def test_region_financial_figures(clients, role, status):
    assert clients[role].get("/api/v1/regions/84/financements/").status_code == status


@pytest.mark.parametrize("resource", ["engagements", "versements", "conventions", "tranches"])
@pytest.mark.parametrize(
    ("role", "status", "visible"),
    [
        ("anonyme", 401, None),
        ("partenaire", 200, {"biovallee"}),
        ("directeur", 200, {"biovallee", "vilagil"}),
        ("charge", 200, {"biovallee", "vilagil"}),
    ],
)
def test_ledger_lists_show_each_role_what_it_may_see(clients, ecritures, resource, role, status, visible):
    response = clients[role].get(f"/api/v1/{resource}/")
    assert response.status_code == status
    if visible is not None:
        assert {row["projet"] for row in response.json()["results"]} == visible


@pytest.mark.parametrize("resource", ["engagement", "versement", "convention"])
@pytest.mark.parametrize(
    ("role", "own", "other"),
    [("anonyme", 401, 401), ("partenaire", 200, 404), ("directeur", 200, 200), ("charge", 200, 200)],
)
def test_ledger_details_are_404_for_what_a_role_may_not_see(clients, ecritures, resource, role, own, other):
    client = clients[role]
    assert client.get(f"/api/v1/{resource}s/{ecritures['biovallee'][resource]}/").status_code == own
    assert client.get(f"/api/v1/{resource}s/{ecritures['vilagil'][resource]}/").status_code == other


WRITES = [
    ("/api/v1/engagements/", {"projet": "biovallee", "enveloppe": "investissement", "montant": "1.00",
                              "date": "2024-03-01", "reference": "R", "motif": "M"}),
    ("/api/v1/engagements/{engagement}/desengagements/", {"montant": "1.00", "date": "2024-03-01",
                                                          "reference": "R", "motif": "M"}),
    ("/api/v1/versements/", {"engagement": "{engagement}", "montant": "1.00", "date": "2024-03-01", "reference": "R"}),
    ("/api/v1/versements/{versement}/annulations/", {"montant": "1.00", "date": "2024-03-01",
                                                     "reference": "R", "motif": "M"}),
    ("/api/v1/conventions/", {"projet": "biovallee", "beneficiaire": "association-biovallee", "objet": "O",
                              "date_signature": "2024-03-01", "reference": "R", "montant": "1.00",
                              "tranches": [{"date_prevue": "2024-03-01", "montant": "1.00", "condition": "C"}]}),
    ("/api/v1/conventions/{convention}/avenants/", {"variation": "1.00", "date": "2024-03-01", "reference": "R",
                                                    "motif": "M"}),
    ("/api/v1/tranches/{tranche}/versements/", {"montant": "1.00", "date": "2024-03-01", "reference": "R"}),
]  # fmt: skip


@pytest.mark.parametrize(("url", "data"), WRITES)
@pytest.mark.parametrize(
    ("role", "status"), [("anonyme", 401), ("partenaire", 403), ("directeur", 403), ("charge", 201)]
)
def test_only_officers_write_the_ledger(clients, ecritures, url, data, role, status):
    ids = ecritures["biovallee"]
    body = {k: v.format(**ids) if isinstance(v, str) else v for k, v in data.items()}
    response = clients[role].post(url.format(**ids), body, content_type="application/json")
    assert response.status_code == status, response.content


CHANGES = [
    ("patch", "/api/v1/conventions/{convention}/", {"objet": "Autre objet"}),
    ("put", "/api/v1/conventions/{convention}/echeancier/", {
        "motif": "Report", "tranches": [{"numero": 1, "date_prevue": "2024-06-01", "montant": "1000.00",
                                         "condition": "C"}]}),
]  # fmt: skip


@pytest.mark.parametrize(("method", "url", "data"), CHANGES)
@pytest.mark.parametrize(
    ("role", "status"), [("anonyme", 401), ("partenaire", 403), ("directeur", 403), ("charge", 200)]
)
def test_only_officers_change_a_convention(clients, ecritures, method, url, data, role, status):
    response = getattr(clients[role], method)(
        url.format(**ecritures["biovallee"]), data, content_type="application/json"
    )
    assert response.status_code == status, response.content


@pytest.mark.parametrize(("role", "status"), [("anonyme", 401), ("partenaire", 200), ("directeur", 200)])
def test_tokens_are_each_users_own(clients, role, status):
    assert clients[role].get("/api/v1/jetons/").status_code == status


@pytest.mark.parametrize("url", ["/api/v1/projets/", "/api/v1/projets/biovallee/", "/api/v1/enveloppes/"])
def test_public_resources_are_read_only_for_every_role(clients, url):
    for role in ROLES:
        assert clients[role].post(url, {}, content_type="application/json").status_code in (401, 403, 405)
        assert clients[role].delete(url).status_code in (401, 403, 405)
