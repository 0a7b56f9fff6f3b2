"""HTML for directors and officers: dashboards, exports, ledger forms through the services."""

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from financements.models import Engagement, Enveloppe
from laureats.models import Projet
from tests import grand_livre as services
from tests.factories import compte

pytestmark = pytest.mark.django_db


def logged_in(role: str, **kwargs) -> Client:
    client = Client()
    client.force_login(compte(role, **kwargs))
    return client


@pytest.fixture
def charge() -> Client:
    return logged_in("charge")


@pytest.fixture
def engagement():
    return services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=Enveloppe.objects.get(code="subvention"),
        montant=Decimal("1000000.00"), date="2024-03-01", reference="CP-1", motif="Convention", by=None,
    )  # fmt: skip


def test_a_director_lands_on_their_home_linking_to_the_dashboard_of_their_region():
    response = logged_in("directeur", regions=["53"]).get("/mon-espace/")
    assert response.status_code == 200 and response.templates[0].name == "portail/accueil_directeur.html"
    assert 'href="/financements/regions/53/"' in response.content.decode()


def test_the_region_dashboard_shows_its_projects_figures_and_chart(engagement, django_assert_num_queries):
    directeur = logged_in("directeur", regions=["84"])
    # session, user, profile, region, 4 for the summaries (envelopes, totals by envelope, the ledger's
    # months by envelope for both the years and the chart), 2 for the project table (a count, a page),
    # the region menu, 5 for the payment schedules (the oldest overdue tranches, their number and total,
    # planned and paid per year, forecast)
    with django_assert_num_queries(16):
        response = directeur.get("/financements/regions/84/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "BIOVALLÉE" in page and "VILAGIL" not in page
    assert "<svg" in page and "Engagé (cumul)" in page
    assert "1\u202f000\u202f000\xa0€" in page


@pytest.mark.parametrize(("role", "status"), [("partenaire", 403), ("charge", 200), ("directeur", 200)])
def test_dashboards_are_for_officers_and_directors(role, status):
    assert logged_in(role).get("/financements/").status_code == status


def test_an_anonymous_visitor_is_sent_to_the_login_page():
    response = Client().get("/financements/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_the_project_table_exports_as_csv_and_xlsx(charge, engagement):
    csv_response = charge.get("/financements/regions/84/", {"export": "csv"})
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Projet" and len(rows) == 1 + 3 * 2
    biovallee = next(r for r in rows if r[0] == "BIOVALLÉE" and r[2] == "subvention")
    assert biovallee[3:6] == ["5700000,00", "1000000,00", "0,00"]

    xlsx = charge.get("/financements/regions/84/", {"export": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="financements-84.xlsx"'
    feuille = load_workbook(io.BytesIO(xlsx.content)).active
    assert feuille.max_row == 7


def test_the_ledger_exports_with_its_filters(charge, engagement):
    response = charge.get("/financements/grand-livre/", {"region": "84", "export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["Engagement"]
    assert rows[1][0] == str(engagement.uid)


def test_an_officer_records_a_commitment_in_the_portal_once_confirmed(charge):
    saisie = {
        "enveloppe": "investissement",
        "montant": "250000",
        "date": "2024-05-02",
        "reference": "CP-2",
        "motif": "Avenant",
    }
    response = charge.post("/projets/biovallee/engagements/nouveau/", saisie)
    assert response.status_code == 200 and "Vous allez engager 250\u202f000,00\xa0€" in response.content.decode()
    assert not Engagement.objects.exists()

    response = charge.post("/projets/biovallee/engagements/nouveau/", {**saisie, "confirmer": "1"})
    assert response.status_code == 302
    assert Engagement.objects.get(reference="CP-2").montant == Decimal("250000.00")


def test_a_refused_commitment_shows_the_service_refusal_next_to_its_field(charge):
    response = charge.post(
        "/projets/biovallee/engagements/nouveau/",
        {"enveloppe": "investissement", "montant": "12800000.01", "date": "2024-05-02", "reference": "X",
         "motif": "Y", "confirmer": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    erreurs = " ".join(response.context["form"].errors["justification_depassement"])
    assert "au-delà du potentiel d'investissement de 12\u202f800\u202f000,00 €" in erreurs
    assert not Engagement.objects.exists()


def test_a_subsidy_is_not_committed_by_the_commitment_form(charge):
    # Its convention commits it, with its beneficiary and schedule (test_pages_conventions.py).
    response = charge.post(
        "/projets/biovallee/engagements/nouveau/",
        {"enveloppe": "subvention", "montant": "1000", "date": "2024-05-02", "reference": "X", "motif": "Y",
         "confirmer": "1"},
    )  # fmt: skip
    assert "Une subvention s'engage par une convention" in response.context["form"].errors["enveloppe"][0]
    assert 'href="/projets/biovallee/conventions/nouvelle/"' in response.content.decode()
    assert not Engagement.objects.exists()


def test_bad_input_in_the_form_gets_french_field_errors(charge):
    response = charge.post(
        "/projets/biovallee/engagements/nouveau/",
        {"enveloppe": "investissement", "montant": "0,00", "date": "32/13/2024", "reference": "", "motif": "Y"},
    )
    errors = response.context["form"].errors
    assert set(errors) == {"montant", "date", "reference"}
    assert "supérieure ou égale à 0.01" in errors["montant"][0]


@pytest.mark.parametrize("role", ["directeur", "partenaire"])
def test_only_officers_reach_the_ledger_forms(role, engagement):
    client = logged_in(role)
    assert client.get("/projets/biovallee/engagements/nouveau/").status_code == 403
    assert client.post(f"/engagements/{engagement.uid}/versement/", {}).status_code == 403


def test_the_project_page_shows_the_ledger_with_who_and_before_after(charge, engagement):
    services.versement_create(
        engagement=engagement, montant=Decimal("400000.00"), date="2024-04-01", reference="V-1", by=None
    )
    page = charge.get("/projets/biovallee/").content.decode()

    assert "CP-1" in page and "V-1" in page
    assert "0\xa0€ → 1\u202f000\u202f000\xa0€" in page
    assert "Enregistrer un engagement" in page
    assert "Enregistrer un engagement" not in logged_in("directeur").get("/projets/biovallee/").content.decode()


def test_the_admin_offers_no_way_to_change_or_delete_a_ledger_entry(engagement):
    from django.contrib.auth import get_user_model

    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("admin", "a@example.fr", "x"))
    page = admin.get(f"/admin/financements/engagement/{engagement.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin.post(f"/admin/financements/engagement/{engagement.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Engagement.objects.filter(pk=engagement.pk).exists()


def test_the_admin_records_a_commitment_through_the_service():
    from django.contrib.auth import get_user_model

    admin = Client()
    user = get_user_model().objects.create_superuser("admin", "a@example.fr", "x")
    admin.force_login(user)
    projet = Projet.objects.get(slug="biovallee")
    saisie = {
        "projet": projet.pk, "enveloppe": Enveloppe.objects.get(code="investissement").pk, "nature": "engagement",
        "montant": "13000000", "date": "2024-01-01", "reference": "ADM", "motif": "Admin",
    }  # fmt: skip
    response = admin.post("/admin/financements/engagement/add/", saisie)
    assert response.status_code == 200 and "une justification est requise" in response.content.decode()
    assert not Engagement.objects.exists()

    response = admin.post("/admin/financements/engagement/add/", {**saisie, "justification_depassement": "Levée"})
    assert response.status_code == 302
    assert Engagement.objects.get().auteur == user


def test_the_admin_refuses_a_subsidy_commitment_outside_a_convention():
    from django.contrib.auth import get_user_model

    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("admin", "a@example.fr", "x"))
    response = admin.post(
        "/admin/financements/engagement/add/",
        {"projet": Projet.objects.get(slug="biovallee").pk, "enveloppe": Enveloppe.objects.get(code="subvention").pk,
         "nature": "engagement", "montant": "1000", "date": "2024-01-01", "reference": "ADM", "motif": "Admin"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Une subvention s'engage par une convention" in response.context["adminform"].form.errors["enveloppe"][0]
    assert not Engagement.objects.exists()
