"""Issue 10, "Figures you can trust": each figure has one definition, and the ledger's filters hold everywhere."""

import itertools
import re
from decimal import Decimal

import pytest
from django.test import Client

from financements.models import Enveloppe
from financements.selectors import Chiffres, taux
from laureats.models import Projet
from tests import grand_livre as services
from tests.factories import compte
from tests.financements.exports_lus import rows_of as lignes

pytestmark = pytest.mark.django_db


@pytest.fixture
def charge() -> Client:
    client = Client()
    client.force_login(compte("charge"))
    return client


_numeros = itertools.count(1)


def _reference(nature: str) -> str:
    """A reference is unique in its envelope: each entry of these tests gets its own."""
    return f"{nature}-{next(_numeros)}"


def engager(slug: str, montant: str, *, code: str = "subvention", date: str = "2024-03-01", reference: str = ""):
    return services.engagement_create(
        projet=Projet.objects.get(slug=slug), enveloppe=Enveloppe.objects.get(code=code), montant=Decimal(montant),
        date=date, reference=reference or _reference("DEC"), motif="Convention", by=None,
        justification_depassement="Tour de table",
    )  # fmt: skip


def verser(engagement, montant: str, *, date: str = "2024-06-01", reference: str = ""):
    return services.versement_create(
        engagement=engagement, montant=Decimal(montant), date=date, reference=reference or _reference("OP"),
        by=None,
    )  # fmt: skip


def annuler(versement, montant: str, *, date: str = "2024-09-01"):
    return services.versement_cancel(
        versement=versement, montant=Decimal(montant), date=date, reference=_reference("OP"), motif="Trop-perçu",
        by=None,
    )  # fmt: skip


def par_annee(client: Client, url: str) -> dict[tuple[int, str], tuple[Decimal, Decimal]]:
    return {
        (a["annee"], a["enveloppe"]): (a["engage"], a["verse"]) for a in client.get(url).context["tableau"].par_annee
    }


# Yearly figures


def test_the_programmes_yearly_disbursements_add_up_every_region(charge):
    verser(engager("biovallee", "1000000.00"), "400000.00")  # Auvergne-Rhône-Alpes
    verser(engager("vilagil", "2000000.00", reference="CP-2"), "250000.50")  # Occitanie
    verser(engager("sesame", "3000000.00", reference="CP-3"), "100000.00")  # Île-de-France

    assert par_annee(charge, "/financements/")[(2024, "subvention")] == (Decimal("6000000.00"), Decimal("750000.50"))


def test_a_cancellation_is_deducted_from_the_yearly_disbursements(charge):
    versement = verser(engager("biovallee", "1000000.00"), "400000.00")
    annuler(versement, "150000.25")

    assert par_annee(charge, "/financements/")[(2024, "subvention")][1] == Decimal("249999.75")
    annees = charge.get("/api/v1/regions/84/financements/").json()["annees"]
    assert annees == [{"annee": 2024, "enveloppe": "subvention", "engage": "1000000.00", "verse": "249999.75"}]


def test_a_regions_yearly_disbursements_count_only_its_projects(charge):
    verser(engager("biovallee", "1000000.00"), "400000.00")
    verser(engager("vilagil", "2000000.00", date="2023-01-02"), "250000.00", date="2023-06-01")

    assert par_annee(charge, "/financements/regions/84/") == {
        (2024, "subvention"): (Decimal("1000000.00"), Decimal("400000.00"))
    }
    assert par_annee(charge, "/financements/regions/76/") == {
        (2023, "subvention"): (Decimal("2000000.00"), Decimal("250000.00")),
    }


# One definition of each figure


def test_the_home_page_the_dashboard_and_the_api_give_the_same_left_to_commit(charge):
    engager("biovallee", "1000000.00")
    # The fiches promise 151.15 M€ of the 150 M€ subsidy envelope: left to commit is measured on the ceiling.
    attendu = Decimal("149000000.00")

    api = {e["code"]: e for e in charge.get("/api/v1/enveloppes/").json()["results"]}
    assert Decimal(api["subvention"]["reste_a_engager"]) == attendu
    tableau = charge.get("/financements/").context["tableau"]
    assert tableau.par_enveloppe["subvention"].reste_a_engager == attendu
    accueil = dict(charge.get("/").context["enveloppes"])
    assert next(c for e, c in accueil.items() if e.code == "subvention").reste_a_engager == attendu


def test_the_dashboards_show_each_envelopes_ceiling_and_over_allocation(charge):
    page = charge.get("/financements/regions/84/").content.decode()
    assert 'data-chiffre="enveloppe/subvention/plafond" data-valeur="150000000.00"' in page
    page = charge.get("/financements/").content.decode()
    assert 'data-chiffre="enveloppe/investissement/plafond" data-valeur="300000000.00"' in page
    assert 'data-chiffre="enveloppe/subvention/depassement_allocations" data-valeur="1150000.00"' in page


def test_a_project_or_a_region_has_no_ceiling_of_its_own_and_is_measured_on_its_allocation():
    projet = Chiffres(alloue=Decimal("5700000.00"), engage=Decimal("1000000.00"), verse=Decimal("250000.00"))
    enveloppe = Chiffres(Decimal("151150000.00"), Decimal("1000000.00"), Decimal("0.00"), Decimal("150000000.00"))

    assert (projet.reste_a_engager, projet.reste_a_verser) == (Decimal("4700000.00"), Decimal("750000.00"))
    assert (projet.taux_engagement, projet.taux_versement, projet.depassement_allocations) == (
        Decimal("17.54"), Decimal("25.00"), None,
    )  # fmt: skip
    assert (enveloppe.reste_a_engager, enveloppe.depassement_allocations) == (
        Decimal("149000000.00"), Decimal("1150000.00"),
    )  # fmt: skip
    assert enveloppe.taux_engagement == Decimal("0.67")


def test_a_rate_is_rounded_half_up_to_two_decimals():
    assert taux(Decimal("1.00"), Decimal("800.00")) == Decimal("0.13")  # 0.125 %
    assert taux(Decimal("1.00"), Decimal("3.00")) == Decimal("33.33")
    assert taux(Decimal("1.00"), Decimal("0.00")) is None


# Exports: exact euros and exact rates


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_the_dashboard_export_gives_the_exact_rates(charge, format_):
    verser(engager("biovallee", "1000000.00"), "333333.33")

    rows = lignes(charge.get("/financements/regions/84/", {"export": format_}))
    biovallee = next(r for r in rows if r[0] == "BIOVALLÉE" and r[2] == "subvention")
    # 1 000 000 / 5 700 000 = 17.5438…%, 333 333.33 / 1 000 000 = 33.333333 %
    assert [Decimal(v) for v in biovallee[3:10]] == [
        Decimal("5700000.00"), Decimal("1000000.00"), Decimal("333333.33"), Decimal("4700000.00"),
        Decimal("666666.67"), Decimal("17.54"), Decimal("33.33"),
    ]  # fmt: skip


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_the_ledger_export_keeps_the_cents(charge, format_):
    engagement = engager("biovallee", "1234.56")
    versement = verser(engagement, "1000.99")
    annulation = annuler(versement, "0.49")

    rows = lignes(charge.get("/financements/grand-livre/", {"export": format_}))
    montant = rows[0].index("Montant (€)")
    assert {r[0]: Decimal(r[montant]) for r in rows[1:]} == {
        str(engagement.uid): Decimal("1234.56"),
        str(versement.uid): Decimal("1000.99"),
        str(annulation.uid): Decimal("0.49"),
    }


# The ledger's filters, on the page and in its exports


@pytest.fixture
def grand_livre():
    """Entries in both envelopes, two regions, three projects."""
    a = engager("biovallee", "1000000.00")
    b = engager("biovallee", "2000000.00", code="investissement", reference="FP-1")
    c = engager("vilagil", "500000.00", reference="CP-2")
    d = engager("valence-romans-start-ups-de-territoire", "700000.00", reference="CP-3", date="2023-01-10")
    return {
        "a": a, "b": b, "c": c, "d": d,
        "va": verser(a, "100000.10"), "vb": verser(b, "500000.00"), "vc": verser(c, "50000.00"),
        "vd": verser(d, "70000.00", date="2023-02-01"),
    }  # fmt: skip


def uids_exportes(client: Client, filtres: dict, format_: str) -> set[str]:
    return {r[0] for r in lignes(client.get("/financements/grand-livre/", {**filtres, "export": format_}))[1:]}


def uids_affiches(client: Client, filtres: dict) -> set[str]:
    return set(
        re.findall(r'data-uid="([0-9a-f-]+)"', client.get("/financements/grand-livre/", filtres).content.decode())
    )


@pytest.mark.parametrize(
    ("filtres", "attendues"),
    [
        ({"enveloppe": "investissement"}, {"b", "vb"}),
        ({"projet": "biovallee"}, {"a", "b", "va", "vb"}),
        ({"region": "84", "enveloppe": "subvention"}, {"a", "d", "va", "vd"}),
        ({"nature": "versement", "date_min": "2024-01-01"}, {"va", "vb", "vc"}),
        ({"date_max": "2023-12-31"}, {"d", "vd"}),
        ({}, {"a", "b", "c", "d", "va", "vb", "vc", "vd"}),
    ],
)
def test_the_page_and_its_csv_and_xlsx_exports_give_the_same_filtered_entries(charge, grand_livre, filtres, attendues):
    voulues = {str(grand_livre[cle].uid) for cle in attendues}

    assert uids_affiches(charge, filtres) == voulues
    assert uids_exportes(charge, filtres, "csv") == voulues
    assert uids_exportes(charge, filtres, "xlsx") == voulues


def test_the_ledger_filters_are_choices_taken_from_the_data(charge):
    formulaire = charge.get("/financements/grand-livre/").context["filtres"].form

    regions = {str(code) for code, _ in formulaire.fields["region"].choices if code}
    assert regions == set(Projet.objects.values_list("region__code", flat=True))  # the regions that have a laureate
    assert len(regions) == 11 and "988" in regions
    projets = dict(formulaire.fields["projet"].choices)
    assert len(projets) == 25 and "Tous" in projets.values() and "BIOVALLÉE" in projets.values()
    assert dict(formulaire.fields["nature"].choices) == {
        "": "---------", "engagement": "Engagement", "desengagement": "Désengagement", "versement": "Versement",
        "annulation": "Annulation de versement",
    }  # fmt: skip


def test_the_ledger_shows_both_kinds_of_entries_with_their_cents(charge, grand_livre):
    page = charge.get("/financements/grand-livre/").content.decode()

    assert 'id="onglet-engagements"' in page and 'id="onglet-versements"' in page
    assert "100\u202f000,10\xa0€" in page


@pytest.mark.parametrize(
    ("filtres", "champ"),
    [({"date_min": "hier"}, "date_min"), ({"region": "zz"}, "region"), ({"projet": "inconnu"}, "projet"),
     ({"enveloppe": "toutes"}, "enveloppe"), ({"nature": "don"}, "nature"),
     ({"montant_min": "beaucoup"}, "montant_min")],
)  # fmt: skip
def test_an_invalid_ledger_filter_shows_its_error_and_no_entry(charge, grand_livre, filtres, champ):
    response = charge.get("/financements/grand-livre/", filtres)

    assert response.status_code == 200
    assert response.context["filtres"].errors[champ]
    page = response.content.decode()
    assert "Filtre invalide" in page and 'class="fr-error-text"' in page
    assert "data-uid" not in page
    # The export link would have given the whole ledger: no file, the same page with the error.
    export = charge.get("/financements/grand-livre/", {**filtres, "export": "csv"})
    assert export["Content-Type"].startswith("text/html") and "data-uid" not in export.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/engagements/", "/api/v1/versements/"])
@pytest.mark.parametrize(
    ("filtres", "champ"),
    [({"region": "zz"}, "region"), ({"projet": "inconnu"}, "projet"), ({"enveloppe": "toutes"}, "enveloppe"),
     ({"date_max": "demain"}, "date_max")],
)  # fmt: skip
def test_an_invalid_api_ledger_filter_is_a_400_on_that_field(charge, grand_livre, url, filtres, champ):
    response = charge.get(url, filtres, HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [champ]


def test_the_api_ledger_filters_select_disbursements_by_envelope_and_project(charge, grand_livre):
    def uids(filtres):
        reponse = charge.get("/api/v1/versements/", filtres, HTTP_ACCEPT="application/json").json()
        return {v["uid"] for v in reponse["results"]}

    assert uids({"enveloppe": "investissement"}) == {str(grand_livre["vb"].uid)}
    assert uids({"projet": "vilagil"}) == {str(grand_livre["vc"].uid)}


def test_an_invalid_project_filter_lists_no_project(charge):
    response = Client().get("/projets/", {"region": "zz"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert response.context["filterset"].errors["region"]


def test_an_invalid_indicator_filter_counts_no_indicator(charge):
    response = charge.get("/indicateurs/", {"region": "zz"})

    assert response.status_code == 200
    assert response.context["filterset"].errors["region"]
    assert response.context["totaux"]["total"] == 0
