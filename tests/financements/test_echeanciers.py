"""The schedule figures (financements.selectors), recomputed from the rows in plain Python.

A realistic set of conventions: several tranches each over years 2020 to 2032,
partial payments, a reversal, amendments that raise and cut the amount, a schedule
re-planned, projects in four regions. Each selector's answer is compared with the
same figure summed here over Tranche and Versement objects, one by one.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest

from financements import services
from financements.models import Convention, Tranche, Versement
from financements.selectors import (
    PROGRAMME_FIN,
    prevision_versements,
    prevu_verse_par_annee,
    prevu_verse_par_projet,
    tranches_en_retard,
)
from laureats.models import Partenariat, Projet
from tests.factories import compte

pytestmark = pytest.mark.django_db

JOUR = datetime.date(2025, 6, 30)
ZERO = Decimal("0.00")


def _convention(
    projet: Projet, reference: str, tranches: list[tuple[str, str]], *, by, beneficiaire=None, signature=None
):
    return services.convention_create(
        projet=projet,
        beneficiaire=beneficiaire or projet.chef_de_file,
        objet=f"Convention {reference}",
        date_signature=signature or tranches[0][0],
        reference=reference,
        montant=sum((Decimal(m) for _, m in tranches), ZERO),
        tranches=[{"date_prevue": d, "montant": m, "condition": "Sur justificatifs"} for d, m in tranches],
        by=by,
    )


def _tranche(convention: Convention, numero: int) -> Tranche:
    return convention.tranches.get(numero=numero)


def _payer(convention: Convention, numero: int, montant: str, date: str, reference: str, by) -> list[Versement]:
    return services.tranche_pay(
        tranche=_tranche(convention, numero), montant=Decimal(montant), date=date, reference=reference, by=by
    )


@pytest.fixture
def claire():
    return compte("charge")


@pytest.fixture
def jeu(claire):
    """Five conventions in four regions, every case the figures must handle."""
    biovallee = Projet.objects.get(slug="biovallee")  # 84 Auvergne-Rhône-Alpes
    vilagil = Projet.objects.get(slug="vilagil")  # 76 Occitanie
    belfort = Projet.objects.get(slug="belfort-montbeliard-territoire-industriel")  # 27
    dunkerque = Projet.objects.get(slug="dunkerque-energie-creative")  # 32 Hauts-de-France

    # Paid in full, paid in part (overdue for the rest), not paid at all (overdue).
    a = _convention(
        biovallee, "CONV-A", [("2021-03-01", "100000"), ("2022-03-01", "200000"), ("2024-09-01", "300000")], by=claire
    )
    _payer(a, 1, "100000", "2021-03-10", "VA-1", claire)
    _payer(a, 2, "150000", "2022-04-01", "VA-2", claire)

    # Paid in full then partly reversed: overdue again for the part returned; a future tranche.
    b = _convention(biovallee, "CONV-B", [("2025-01-15", "50000"), ("2026-06-01", "50000")], by=claire)
    (versement,) = _payer(b, 1, "50000", "2025-01-20", "VB-1", claire)
    services.versement_cancel(
        versement=versement, montant=Decimal("20000"), date="2025-03-01", reference="VB-1-ANN",
        motif="Trop-perçu restitué", by=claire,
    )  # fmt: skip

    # Amended twice (a raise on the last open tranche, then a cut), a tranche after the programme's end.
    c = _convention(
        vilagil, "CONV-C",
        [("2023-01-01", "100000"), ("2025-12-01", "100000"), ("2028-06-01", "100000"), ("2032-01-01", "100000")],
        by=claire,
    )  # fmt: skip
    _payer(c, 1, "60000", "2023-02-01", "VC-1", claire)
    _payer(c, 1, "40000", "2024-02-01", "VC-1-BIS", claire)
    services.avenant_create(
        convention=c, variation="50000", date="2024-03-01", reference="AV-C-1", motif="Phase 2", by=claire
    )
    services.avenant_create(
        convention=c, variation="-30000", date="2024-05-01", reference="AV-C-2", motif="Périmètre réduit", by=claire
    )

    # A partner (not the lead) as beneficiary; its one tranche planned on the day itself: not overdue yet.
    partenaire = Partenariat.objects.filter(projet=belfort).exclude(organisation=belfort.chef_de_file).first()
    _convention(
        belfort, "CONV-D", [("2025-06-30", "80000")], by=claire,
        beneficiaire=partenaire.organisation if partenaire else None, signature="2025-01-02",
    )  # fmt: skip

    # Paid in full on time; a tranche re-planned from 2024 to 2027 (no longer overdue).
    e = _convention(
        dunkerque, "CONV-E", [("2020-06-01", "40000"), ("2024-01-15", "60000")], by=claire, signature="2020-01-01"
    )
    _payer(e, 1, "40000", "2020-07-01", "VE-1", claire)
    services.echeancier_update(
        convention=e,
        tranches=[
            {"numero": 1, "date_prevue": "2020-06-01", "montant": "40000", "condition": "Sur justificatifs"},
            {"numero": 2, "date_prevue": "2027-03-01", "montant": "60000", "condition": "Sur justificatifs"},
        ],
        motif="Travaux décalés",
        by=claire,
    )
    return {"a": a, "b": b, "c": c, "e": e}


# --- The same figures, summed here over the rows ---------------------------------------------------------------


def _verse(tranche: Tranche) -> Decimal:
    return sum(
        (v.montant if v.nature == Versement.Nature.VERSEMENT else -v.montant for v in tranche.versements.all()), ZERO
    )


def _tranches(region_code=None, projet=None, convention=None) -> list[Tranche]:
    tranches = []
    for t in Tranche.objects.select_related("convention__projet__region", "convention__enveloppe"):
        if region_code and t.convention.projet.region.code != region_code:
            continue
        if projet is not None and t.convention.projet_id != projet.pk:
            continue
        if convention is not None and t.convention_id != convention.pk:
            continue
        tranches.append(t)
    return tranches


def _attendu_en_retard(jour, region_code=None) -> list[tuple]:
    lignes = [
        (t.date_prevue, t.convention.reference, t.numero, t.pk, t.montant - _verse(t))
        for t in _tranches(region_code)
        if t.date_prevue < jour and t.montant - _verse(t) > 0
    ]
    return [(pk, reste) for *_, pk, reste in sorted(lignes)]


def _attendu_prevu_verse(**filtre) -> list[tuple]:
    prevu, verse = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for t in _tranches(**filtre):
        prevu[t.date_prevue.year] += t.montant
        for v in t.versements.all():
            verse[v.date.year] += v.montant if v.nature == Versement.Nature.VERSEMENT else -v.montant
    return [
        (annee, prevu[annee], verse[annee], prevu[annee] - verse[annee]) for annee in sorted(set(prevu) | set(verse))
    ]


def _attendu_prevision(jour, region_code=None) -> list[tuple]:
    lignes = defaultdict(lambda: ZERO)
    for t in _tranches(region_code):
        reste = t.montant - _verse(t)
        if reste <= 0:
            continue
        annee = t.date_prevue.year
        if annee < jour.year:  # overdue: paid this year at the earliest
            annee = jour.year
        annee = min(annee, max(PROGRAMME_FIN, jour.year))
        region = t.convention.projet.region
        lignes[(annee, t.convention.enveloppe.code, region.nom, region.code)] += reste
    return [(annee, env, code, nom, montant) for (annee, env, nom, code), montant in sorted(lignes.items())]


def _en_retard(**kwargs) -> list[tuple]:
    return [(t.pk, t.reste) for t in tranches_en_retard(**kwargs)]


def _prevu_verse(**kwargs) -> list[tuple]:
    return [(a.annee, a.prevu, a.verse, a.ecart) for a in prevu_verse_par_annee(**kwargs)]


def _prevision(**kwargs) -> list[tuple]:
    return [(p.annee, p.enveloppe_code, p.region_code, p.region_nom, p.montant) for p in prevision_versements(**kwargs)]


# --- Overdue tranches ------------------------------------------------------------------------------------------


def test_the_overdue_tranches_are_those_planned_before_the_day_and_not_fully_paid(jeu):
    attendu = _attendu_en_retard(JOUR)

    assert _en_retard(jour=JOUR) == attendu
    # Written out once, so that the recomputation itself is checked: A2 (half paid), A3, B1 (reversal).
    a, b = jeu["a"], jeu["b"]
    assert attendu == [
        (_tranche(a, 2).pk, Decimal("50000.00")),
        (_tranche(a, 3).pk, Decimal("300000.00")),
        (_tranche(b, 1).pk, Decimal("20000.00")),
    ]


def test_overdue_tranches_carry_what_was_paid_and_what_is_left(jeu):
    for tranche in tranches_en_retard(jour=JOUR):
        assert tranche.verse == _verse(tranche)
        assert tranche.reste == tranche.montant - _verse(tranche)


@pytest.mark.parametrize("region_code", ["84", "76", "27", "32", "11"])
def test_the_overdue_tranches_of_a_region(jeu, region_code):
    assert _en_retard(jour=JOUR, region_code=region_code) == _attendu_en_retard(JOUR, region_code)


@pytest.mark.parametrize(
    "jour", [datetime.date(2021, 3, 1), datetime.date(2021, 3, 2), datetime.date(2026, 6, 2), datetime.date(2033, 1, 1)]
)
def test_the_overdue_tranches_on_other_days(jeu, jour):
    assert _en_retard(jour=jour) == _attendu_en_retard(jour)


def test_a_tranche_planned_on_the_day_is_not_overdue_yet(jeu):
    assert not tranches_en_retard(jour=JOUR).filter(convention__reference="CONV-D").exists()
    assert tranches_en_retard(jour=JOUR + datetime.timedelta(days=1)).filter(convention__reference="CONV-D").exists()


# --- Planned and paid per year ---------------------------------------------------------------------------------


def test_planned_and_paid_per_year_over_the_programme(jeu):
    attendu = _attendu_prevu_verse()

    assert _prevu_verse() == attendu
    # The raise (+50 000) and the cut (-30 000) moved the 2032 tranche; the reversal is netted in 2025.
    par_annee = {annee: (prevu, verse) for annee, prevu, verse, _ in attendu}
    assert par_annee[2032] == (Decimal("120000.00"), ZERO)
    assert par_annee[2025] == (Decimal("230000.00"), Decimal("30000.00"))
    total_prevu = sum(prevu for _, prevu, _, _ in attendu)
    assert total_prevu == sum(c.montant for c in Convention.objects.all())


def test_planned_and_paid_per_year_per_convention(jeu):
    for convention in Convention.objects.all():
        assert _prevu_verse(convention=convention) == _attendu_prevu_verse(convention=convention)


def test_planned_and_paid_per_year_per_project(jeu):
    for projet in Projet.objects.filter(conventions__isnull=False).distinct():
        assert _prevu_verse(projet=projet) == _attendu_prevu_verse(projet=projet)


def test_planned_and_paid_per_year_of_every_project_at_once(jeu):
    par_projet = prevu_verse_par_projet()

    projets = Projet.objects.filter(conventions__isnull=False).distinct()
    assert set(par_projet) == {projet.pk for projet in projets}
    for projet in projets:
        lignes = [(a.annee, a.prevu, a.verse, a.ecart) for a in par_projet[projet.pk]]
        assert lignes == _attendu_prevu_verse(projet=projet)


@pytest.mark.parametrize("region_code", ["84", "76", "27", "32", "11"])
def test_planned_and_paid_per_year_per_region(jeu, region_code):
    assert _prevu_verse(region_code=region_code) == _attendu_prevu_verse(region_code=region_code)


# --- Forecast to 2030 ------------------------------------------------------------------------------------------


def test_the_forecast_counts_the_unpaid_tranches_overdue_ones_this_year_later_ones_in_2030(jeu):
    attendu = _attendu_prevision(JOUR)

    assert _prevision(jour=JOUR) == attendu
    montants = {(annee, code): montant for annee, _, code, _, montant in attendu}
    # 2025, Auvergne-Rhône-Alpes: A2 (50 000) and A3 (300 000) overdue, B1 (20 000 reversed).
    assert montants[(2025, "84")] == Decimal("370000.00")
    # 2030, Occitanie: the tranche of 2032 (100 000 + 50 000 - 30 000).
    assert montants[(PROGRAMME_FIN, "76")] == Decimal("120000.00")
    assert all(annee <= PROGRAMME_FIN for annee, *_ in attendu)


def test_the_forecast_leaves_nothing_out(jeu):
    """Every euro still to pay on a schedule is in the forecast, once."""
    total = sum(p.montant for p in prevision_versements(jour=JOUR))
    a_payer = sum((t.montant - _verse(t) for t in Tranche.objects.all()), ZERO)
    assert total == a_payer


@pytest.mark.parametrize("region_code", ["84", "76", "27", "32", "11"])
def test_the_forecast_of_a_region(jeu, region_code):
    assert _prevision(jour=JOUR, region_code=region_code) == _attendu_prevision(JOUR, region_code)


@pytest.mark.parametrize("jour", [datetime.date(2021, 1, 1), datetime.date(2029, 12, 31), datetime.date(2031, 3, 1)])
def test_the_forecast_on_other_days(jeu, jour):
    assert _prevision(jour=jour) == _attendu_prevision(jour)


def test_after_the_programme_s_end_what_is_left_counts_in_the_current_year():
    jour = datetime.date(2031, 3, 1)
    assert all(p.annee == 2031 for p in prevision_versements(jour=jour))


# --- Edge cases ------------------------------------------------------------------------------------------------


def test_without_tranches_every_figure_is_empty():
    assert not Tranche.objects.exists()
    assert list(tranches_en_retard(jour=JOUR)) == []
    assert prevu_verse_par_annee() == []
    assert prevision_versements(jour=JOUR) == []


def test_a_tranche_paid_then_reversed_is_overdue_again(claire):
    projet = Projet.objects.get(slug="vilagil")
    convention = _convention(projet, "CONV-R", [("2024-01-10", "30000"), ("2024-06-10", "70000")], by=claire)
    (versement,) = _payer(convention, 1, "30000", "2024-01-15", "VR-1", claire)
    assert _en_retard(jour=JOUR) == [(_tranche(convention, 2).pk, Decimal("70000.00"))]

    services.versement_cancel(
        versement=versement, montant=Decimal("30000"), date="2024-02-01", reference="VR-1-ANN",
        motif="Versement sur un mauvais compte", by=claire,
    )  # fmt: skip

    assert _en_retard(jour=JOUR) == [
        (_tranche(convention, 1).pk, Decimal("30000.00")),
        (_tranche(convention, 2).pk, Decimal("70000.00")),
    ]
    # Paid and reversed the same year: nothing paid in 2024, and the whole amount left for this year.
    assert _prevu_verse() == [(2024, Decimal("100000.00"), ZERO, Decimal("100000.00"))]
    assert _prevision(jour=JOUR) == [(2025, "subvention", "76", "Occitanie", Decimal("100000.00"))]
