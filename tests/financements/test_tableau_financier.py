"""The figures the dashboards, the charts and a project's page read: financements.selectors, called directly.

One small ledger over three years and two envelopes; every expected figure is
written out from the entries below, or summed here from the fiches' rows.
"""

import datetime
from decimal import Decimal

import pytest

from financements.models import Allocation, Enveloppe, Versement
from financements.selectors import Chiffres, cumuls_mensuels, projet_financement, tableau_financier
from laureats.models import Projet
from tests import grand_livre as services
from tests.factories import compte

pytestmark = pytest.mark.django_db
D = Decimal
ZERO = D("0.00")


def engager(slug: str, code: str, montant: str, date: str, reference: str):
    return services.engagement_create(
        projet=Projet.objects.get(slug=slug), enveloppe=Enveloppe.objects.get(code=code), montant=D(montant),
        date=datetime.date.fromisoformat(date), reference=reference, motif="Convention", by=None,
    )  # fmt: skip


def verser(engagement, montant: str, date: str, reference: str):
    return services.versement_create(
        engagement=engagement, montant=D(montant), date=datetime.date.fromisoformat(date), reference=reference,
        by=None,
    )  # fmt: skip


@pytest.fixture
def grand_livre() -> None:
    """Biovallée is in Auvergne-Rhône-Alpes (84), Vilagil in Occitanie (76)."""
    e1 = engager("biovallee", "subvention", "300000.00", "2022-03-10", "E1")
    verser(e1, "100000.00", "2023-01-10", "V1")
    services.desengagement_create(
        engagement=e1, montant=D("50000.00"), date=datetime.date(2023, 2, 5), reference="D1", motif="Réduit",
        by=None,
    )  # fmt: skip
    v2 = verser(e1, "80000.00", "2023-03-01", "V2")
    services.versement_cancel(
        versement=v2, montant=D("30000.00"), date=datetime.date(2023, 4, 1), reference="A1", motif="Trop-perçu",
        by=None,
    )  # fmt: skip
    e2 = engager("vilagil", "subvention", "200000.00", "2023-05-20", "E2")
    verser(e2, "50000.00", "2023-05-25", "V3")
    engager("biovallee", "investissement", "1000000.00", "2023-06-01", "E3")
    engager("biovallee", "subvention", "50000.00", "2023-06-01", "E4")  # same day as E3, written after
    verser(e1, "20000.00", "2024-01-15", "V4")
    verser(e1, "10000.00", "2024-01-15", "V5")  # same day as V4, written after


def allouees(*, code: str, region: str | None = None) -> Decimal:
    """The fiches' amounts for an envelope, summed row by row."""
    lignes = Allocation.objects.filter(enveloppe__code=code)
    if region:
        lignes = lignes.filter(projet__region__code=region)
    return sum((a.montant for a in lignes), ZERO)


def allocation(slug: str, code: str) -> Allocation:
    return Allocation.objects.get(projet__slug=slug, enveloppe__code=code)


def test_the_programme_dashboard_measures_each_envelope_against_its_ceiling(grand_livre):
    tableau = tableau_financier()

    subvention, investissement = Enveloppe.objects.get(code="subvention"), Enveloppe.objects.get(code="investissement")
    assert subvention.plafond < investissement.plafond
    assert [e.code for e in tableau.enveloppes] == ["subvention", "investissement"]
    # E1 - D1 + E2 + E4 ; V1 + V2 - A1 + V3 + V4 + V5
    assert tableau.par_enveloppe["subvention"] == Chiffres(
        allouees(code="subvention"), D("500000.00"), D("230000.00"), subvention.plafond
    )
    assert tableau.par_enveloppe["investissement"] == Chiffres(
        allouees(code="investissement"), D("1000000.00"), ZERO, investissement.plafond
    )
    assert tableau.par_enveloppe["subvention"].reste_a_engager == subvention.plafond - D("500000.00")
    assert [c for _, c in tableau.cartes] == [
        tableau.par_enveloppe["subvention"],
        tableau.par_enveloppe["investissement"],
    ]


def test_the_programme_dashboard_adds_up_each_year_and_envelope(grand_livre):
    assert tableau_financier().par_annee == [
        {"annee": 2022, "enveloppe": "subvention", "engage": D("300000.00"), "verse": ZERO},  # E1
        {"annee": 2023, "enveloppe": "investissement", "engage": D("1000000.00"), "verse": ZERO},  # E3
        # -D1 + E2 + E4 ; V1 + V2 - A1 + V3
        {"annee": 2023, "enveloppe": "subvention", "engage": D("200000.00"), "verse": D("200000.00")},
        {"annee": 2024, "enveloppe": "subvention", "engage": ZERO, "verse": D("30000.00")},  # V4 + V5
    ]


def test_a_region_dashboard_measures_its_projects_against_their_fiches_not_the_ceiling(grand_livre):
    tableau = tableau_financier(region_code="84")

    # E1 - D1 + E4 ; V1 + V2 - A1 + V4 + V5: Vilagil's entries are in Occitanie
    assert tableau.par_enveloppe["subvention"] == Chiffres(
        allouees(code="subvention", region="84"), D("300000.00"), D("180000.00"), None
    )
    assert tableau.par_enveloppe["investissement"] == Chiffres(
        allouees(code="investissement", region="84"), D("1000000.00"), ZERO, None
    )
    assert tableau.par_annee == [
        {"annee": 2022, "enveloppe": "subvention", "engage": D("300000.00"), "verse": ZERO},
        {"annee": 2023, "enveloppe": "investissement", "engage": D("1000000.00"), "verse": ZERO},
        {"annee": 2023, "enveloppe": "subvention", "engage": D("0.00"), "verse": D("150000.00")},
        {"annee": 2024, "enveloppe": "subvention", "engage": ZERO, "verse": D("30000.00")},
    ]


def test_a_region_dashboard_lists_its_projects_with_each_fiche_and_what_was_committed_and_paid(grand_livre):
    tableau = tableau_financier(region_code="84")

    attendus = Projet.objects.filter(region__code="84", allocations__isnull=False).distinct()
    assert [p.slug for p in tableau.projets] == [p.slug for p in attendus.order_by("ordre", "titre")]
    biovallee = next(p for p in tableau.projets if p.slug == "biovallee")
    projet = Projet.objects.select_related("region").get(slug="biovallee")
    assert (biovallee.titre, biovallee.region_code, biovallee.region_nom) == (
        projet.titre, "84", projet.region.nom,
    )  # fmt: skip
    assert biovallee.par_enveloppe == {
        "subvention": Chiffres(allocation("biovallee", "subvention").montant, D("300000.00"), D("180000.00")),
        "investissement": Chiffres(allocation("biovallee", "investissement").montant, D("1000000.00"), ZERO),
    }


def test_the_programme_dashboard_lists_every_project_by_region_then_press_kit_order(grand_livre):
    tableau = tableau_financier()

    attendus = Projet.objects.filter(allocations__isnull=False).distinct().order_by("region__nom", "ordre", "titre")
    assert [p.slug for p in tableau.projets] == [p.slug for p in attendus]
    vilagil = next(p for p in tableau.projets if p.slug == "vilagil")
    assert vilagil.region_code == "76"
    fiche = allocation("vilagil", "subvention").montant
    assert vilagil.par_enveloppe["subvention"] == Chiffres(fiche, D("200000.00"), D("50000.00"))  # E2 ; V3


def test_an_envelope_without_fiches_is_still_shown_with_its_whole_ceiling_left():
    Allocation.objects.filter(enveloppe__code="investissement").delete()
    Allocation.objects.filter(enveloppe__code="subvention", projet__region__code="53").delete()
    investissement = Enveloppe.objects.get(code="investissement")

    programme = tableau_financier()
    bretagne = tableau_financier(region_code="53")

    assert programme.par_enveloppe["investissement"] == Chiffres(plafond=investissement.plafond)
    assert programme.par_enveloppe["investissement"].reste_a_engager == investissement.plafond
    assert bretagne.par_enveloppe["subvention"] == Chiffres(plafond=None)
    assert bretagne.par_enveloppe["subvention"].reste_a_engager == ZERO


def test_the_region_chart_accumulates_commitments_and_disbursements_month_by_month(grand_livre):
    series = cumuls_mensuels(region_code="84")

    mois = ["2022-03", "2023-01", "2023-02", "2023-03", "2023-04", "2023-06", "2024-01"]
    engage = [D("300000.00"), ZERO, D("-50000.00"), ZERO, ZERO, D("1050000.00"), ZERO]  # E1, D1, E3 + E4
    verse = [ZERO, D("100000.00"), ZERO, D("80000.00"), D("-30000.00"), ZERO, D("30000.00")]  # V1, V2, A1, V4 + V5
    cumul_engage = [D("300000.00"), D("300000.00"), D("250000.00"), D("250000.00"), D("250000.00"),
                    D("1300000.00"), D("1300000.00")]  # fmt: skip
    cumul_verse = [ZERO, D("100000.00"), D("100000.00"), D("180000.00"), D("150000.00"), D("150000.00"),
                   D("180000.00")]  # fmt: skip
    assert list(series) == [
        {"libelle": "Engagé (cumul)", "points": list(zip(mois, cumul_engage, strict=True))},
        {"libelle": "Versé (cumul)", "points": list(zip(mois, cumul_verse, strict=True))},
    ]
    assert series.lignes == [
        {"mois": m, "engage": e, "verse": v, "cumul_engage": ce, "cumul_verse": cv}
        for m, e, v, ce, cv in zip(mois, engage, verse, cumul_engage, cumul_verse, strict=True)
    ]


def test_a_project_chart_holds_only_that_projects_entries(grand_livre):
    series = cumuls_mensuels(projet_slug="vilagil")

    assert list(series) == [
        {"libelle": "Engagé (cumul)", "points": [("2023-05", D("200000.00"))]},
        {"libelle": "Versé (cumul)", "points": [("2023-05", D("50000.00"))]},
    ]


def test_a_chart_asked_for_a_project_outside_the_region_is_empty(grand_livre):
    series = cumuls_mensuels(region_code="76", projet_slug="biovallee")

    assert list(series) == [{"libelle": "Engagé (cumul)", "points": []}, {"libelle": "Versé (cumul)", "points": []}]
    assert series.lignes == []


def test_a_project_page_lists_its_fiches_and_its_ledger_in_date_order(grand_livre):
    financement = projet_financement(Projet.objects.get(slug="biovallee"))

    assert [(a.enveloppe.code, c) for a, c in financement["allocations"]] == [
        ("subvention", Chiffres(allocation("biovallee", "subvention").montant, D("300000.00"), D("180000.00"))),
        ("investissement", Chiffres(allocation("biovallee", "investissement").montant, D("1000000.00"), ZERO)),
    ]
    assert [e.reference for e in financement["engagements"]] == ["E1", "D1", "E3", "E4"]
    e1 = financement["engagements"][0]
    assert [v.reference for v in e1.versements.all()] == ["V1", "V2", "A1", "V4", "V5"]


def test_a_project_page_shows_each_fiche_change_with_the_amount_before_it():
    sub, inv = allocation("biovallee", "subvention"), allocation("biovallee", "investissement")
    depart_sub, depart_inv = sub.montant, inv.montant
    for fiche, montant in ((sub, "6000000.00"), (inv, "13000000.00"), (sub, "6100000.00"), (sub, "6200000.00")):
        services.allocation_update(allocation=fiche, montant=D(montant), by=None)

    historique = projet_financement(Projet.objects.get(slug="biovallee"))["historique_allocations"]

    assert [(h.id, h.montant, h.montant_avant) for h in historique[:4]] == [
        (sub.pk, D("6200000.00"), D("6100000.00")),
        (sub.pk, D("6100000.00"), D("6000000.00")),
        (inv.pk, D("13000000.00"), depart_inv),
        (sub.pk, D("6000000.00"), depart_sub),
    ]
    assert all(h.montant_avant is None for h in historique[4:])


def test_a_project_page_shows_only_the_fifty_latest_fiche_changes():
    sub = allocation("biovallee", "subvention")
    for i in range(51):
        services.allocation_update(allocation=sub, montant=D("6000000.00") + i, by=None)

    historique = projet_financement(Projet.objects.get(slug="biovallee"))["historique_allocations"]

    assert len(historique) == 50
    assert (historique[0].montant, historique[0].montant_avant) == (D("6000050.00"), D("6000049.00"))


def test_a_project_page_reads_its_fiches_ledger_and_history_in_four_queries(django_assert_num_queries):
    charge = compte("charge")
    e1 = services.engagement_create(
        projet=Projet.objects.get(slug="biovallee"), enveloppe=Enveloppe.objects.get(code="subvention"),
        montant=D("300000.00"), date=datetime.date(2023, 3, 1), reference="E1", motif="Convention", by=charge,
    )  # fmt: skip
    services.desengagement_create(
        engagement=e1, montant=D("1000.00"), date=datetime.date(2023, 4, 1), reference="D1", motif="Réduit",
        by=charge,
    )  # fmt: skip
    services.versement_create(
        engagement=e1, montant=D("5000.00"), date=datetime.date(2023, 5, 1), reference="V1", by=charge
    )
    services.allocation_update(allocation=allocation("biovallee", "subvention"), montant=D("6000000.00"), by=charge)
    projet = Projet.objects.get(slug="biovallee")

    # allocations, entries, their disbursements, the allocations' history
    with django_assert_num_queries(4):
        financement = projet_financement(projet)
        lus = [(a.enveloppe.code, c.engage) for a, c in financement["allocations"]]
        lus += [(e.enveloppe.code, e.auteur.username, e.engagement_origine) for e in financement["engagements"]]
        lus += [v.auteur.username for e in financement["engagements"] for v in e.versements.all()]
        lus += [(h.history_user.username, h.enveloppe.code) for h in financement["historique_allocations"][:1]]

    assert lus[2:] == [
        ("subvention", charge.username, None), ("subvention", charge.username, e1), charge.username,
        (charge.username, "subvention"),
    ]  # fmt: skip


def test_a_project_page_lists_its_ledger_by_date_even_when_written_out_of_order():
    tardif = engager("vilagil", "investissement", "1000.00", "2023-06-01", "E-JUIN")
    precoce = engager("vilagil", "investissement", "2000.00", "2023-01-02", "E-JANVIER")
    verser(precoce, "100.00", "2023-09-01", "V-SEPTEMBRE")
    verser(precoce, "100.00", "2023-02-01", "V-FEVRIER")

    engagements = projet_financement(Projet.objects.get(slug="vilagil"))["engagements"]

    assert [e.reference for e in engagements] == ["E-JANVIER", "E-JUIN"]
    assert engagements[1] == tardif
    assert [v.reference for v in engagements[0].versements.all()] == ["V-FEVRIER", "V-SEPTEMBRE"]


def test_projects_of_the_same_press_kit_rank_are_listed_by_title():
    # Auvergne-Rhône-Alpes' three laureates, given one rank: Biovallée, Valence Romans and Lyon Saint-Étienne
    # in the press kit, so its order (and the fiches' order) is not the titles' order.
    Projet.objects.filter(region__code="84").update(ordre=1)

    projets = tableau_financier(region_code="84").projets

    titres = [p.titre for p in projets]
    assert [t.split()[0] for t in titres] == ["BIOVALLÉE", "LYON", "VALENCE"]
    assert titres == [p.titre for p in Projet.objects.filter(region__code="84").order_by("titre")]


@pytest.mark.postgresql
def test_a_project_page_lists_disbursements_of_one_day_in_the_order_they_were_written(
    postgresql, stockage_par_reference_inverse
):
    engagement = engager("biovallee", "subvention", "100000.00", "2022-01-03", "E")
    ecrits = [verser(engagement, "100.00", "2023-02-01", f"V{rang}").reference for rang in range(1, 6)]
    stockage_par_reference_inverse(Versement)

    (e,) = projet_financement(Projet.objects.get(slug="biovallee"))["engagements"]

    assert [v.reference for v in e.versements.all()] == ecrits
