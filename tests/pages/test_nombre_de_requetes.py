"""Each page renders in a pinned number of queries, which does not grow with the number of rows."""

from decimal import Decimal

import pytest
from django.test import Client

from financements.models import Enveloppe
from laureats import services
from laureats.models import Projet
from tests import grand_livre as ledger
from tests.factories import ProjetFactory, compte
from tests.pages.conftest import connecte

pytestmark = pytest.mark.django_db

# url: (role, queries on the press kit's data alone, queries once there are changes and ledger entries).
# Logged-in pages start with three: session, user, profile (the role).
PAGES = {
    # figures, envelopes, the regions' counts and amounts, the laureates (up to ACCUEIL_LAUREATS_MAX; beyond,
    # test_the_home_in_regional_mode_…), latest changes: one query per public history source; with changes,
    # the records before them, the projects' titles and the names behind ids
    "/": (None, 12, 15),
    # count, page (+2 prefetches), the filter form's choices: regions, themes, territory types, leads
    "/projets/": (None, 8, 8),
    # the same, plus the region the filter validates
    "/projets/?region=84&search=vallée&ordering=-subvention_prevue": (None, 9, 9),
    # project (+6 prefetches), allocations, ledger (+ payments once there are entries),
    # allocation history, chart (2), indicators
    "/projets/biovallee/": (None, 16, 17),
    "/projets/biovallee/modifier/": ("charge", 6, 6),
    "/projets/biovallee/partenaires/": ("charge", 6, 6),
    "/projets/biovallee/objectifs/modifier/": ("charge", 5, 5),
    # project, one query per history source (11), the names behind ids (organisations, envelopes,
    # themes, territory types; the authors of ledger entries once there are some)
    "/projets/biovallee/historique/": ("charge", 19, 20),
    # the public's home, plus ledger entries and measurements in the latest changes
    "/?charge": ("charge", 18, 23),
    # the summaries (the ledger's months by envelope give both the years and the chart), the project table
    # (a count, a page of 50), then the payment schedules: the oldest overdue tranches and the number and
    # total of all (2), planned and paid per year (2), forecast to 2030 (1); the ledger's subsidies are
    # conventions with overdue tranches
    "/financements/": ("directeur", 15, 15),
    "/financements/regions/84/": ("directeur", 16, 16),
    # another page of the table: the same queries (an out of range page shows the last one)
    "/financements/regions/84/?page=2": ("directeur", 16, 16),
    # two tabs (commitments, disbursements): a count each, a page each once there are entries;
    # the filters' choices taken from the data: regions with projects, projects
    "/financements/grand-livre/": ("charge", 7, 9),
    # the homes (portail/accueil.py): measures' counts, overdue reports by project, overdue tranches;
    # a director's also reads their regions and the indicators at risk (their latest evaluation is one
    # more query once some are at risk, tests/pages/test_accueils.py)
    "/mon-espace/?charge": ("charge", 6, 6),
    "/mon-espace/": ("directeur", 7, 7),
    # the submitted measures with their context, in one query
    "/indicateurs/mesures/a-valider/": ("charge", 4, 4),
    # the spreadsheet import's upload page: the projects an officer may take the template of
    "/indicateurs/mesures/import/": ("charge", 4, 4),
}


def activite(projets: list[Projet], n: int) -> None:
    """Rows of every kind: fiche changes, partners, objectives, commitments, payments, history records."""
    claire = compte("charge")
    subvention = Enveloppe.objects.get(code="subvention")
    for projet in projets:
        services.projet_update(projet=projet, data={"titre": projet.titre + " bis"}, by=claire)
        for i in range(n):
            organisation = services.organisation_create(nom=f"Commune {projet.pk}-{i}", by=claire)
            services.partenariat_add(projet=projet, organisation=organisation, role="partenaire", by=claire)
            services.objectif_create(projet=projet, texte=f"Objectif {i}", by=claire)
            engagement = ledger.engagement_create(
                projet=projet, enveloppe=subvention, montant=Decimal("1000"), date=f"202{i}-01-15",
                reference=f"CP-{projet.pk}-{i}-{n}", motif="Convention", by=claire,
            )  # fmt: skip
            ledger.versement_create(
                engagement=engagement,
                montant=Decimal("500"),
                date=f"202{i}-02-15",
                reference=f"V-{projet.pk}-{i}-{n}",
                by=claire,
            )


@pytest.mark.parametrize("url", PAGES)
def test_each_page_runs_a_pinned_number_of_queries_whatever_the_number_of_rows(url, django_assert_num_queries):
    role, initial, avec_lignes = PAGES[url]
    client = connecte(role) if role else Client()
    projets = list(Projet.objects.order_by("ordre"))

    with django_assert_num_queries(initial):
        assert client.get(url).status_code == 200
    activite(projets[:2], 2)
    with django_assert_num_queries(avec_lignes):
        assert client.get(url).status_code == 200
    activite(projets[:6], 4)
    with django_assert_num_queries(avec_lignes):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(("role", "initial", "avec_lignes"), [(None, 11, 17), ("charge", 17, 24)])
def test_the_home_in_regional_mode_runs_a_pinned_number_of_queries_whatever_the_number_of_projects(
    role, initial, avec_lignes, django_assert_num_queries, settings
):
    """Beyond ACCUEIL_LAUREATS_MAX laureates the home reads the regions' counts, not the laureates: one less."""
    settings.ACCUEIL_LAUREATS_MAX = 0
    client = connecte(role) if role else Client()
    with django_assert_num_queries(initial):
        assert client.get("/").status_code == 200
    # New projects (their creation in the latest changes, which then name their authors) and ledger entries.
    for n in (5, 40):
        ProjetFactory.create_batch(n)
        activite(list(Projet.objects.order_by("-pk")[:2]), 2)
        with django_assert_num_queries(avec_lignes):
            assert client.get("/").status_code == 200


def test_an_edit_url_refused_to_a_director_costs_only_the_role_check(django_assert_num_queries):
    client = connecte("directeur", regions=["84"])
    with django_assert_num_queries(3):
        assert client.get("/projets/biovallee/modifier/").status_code == 403
