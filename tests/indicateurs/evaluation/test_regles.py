"""The evaluation rules of indicateurs.evaluation.regles, on plain Decimals (no database)."""

import datetime
from decimal import Decimal

import pytest

from indicateurs.evaluation import regles
from indicateurs.evaluation.regles import Releve

D = Decimal
ORIGINE = datetime.date(2020, 1, 1)
ECHEANCE = datetime.date(2030, 1, 1)  # 3653 days later
MILIEU = datetime.date(2025, 1, 1)  # 1827 days in: 50.01 % of the time


CENT, DEUX_CENTS = D(100), D(200)


def evaluer(
    derniere=None, premiere=None, *, jour=MILIEU, sens="hausse", reference=CENT, cible=DEUX_CENTS, date_ref=ORIGINE
):
    return regles.evaluer(
        sens=sens,
        valeur_reference=reference,
        date_reference=date_ref,
        valeur_cible=cible,
        echeance=ECHEANCE,
        jour=jour,
        derniere=derniere,
        premiere=premiere or derniere,
    )


def test_without_a_validated_measurement_it_is_not_informed_but_the_expected_value_is_known():
    resultat = evaluer()
    assert resultat.statut == regles.NON_RENSEIGNE
    assert resultat.valeur_attendue == D("150.0137")
    assert resultat.avancement is None


def test_the_expected_value_is_on_the_straight_line_and_flat_after_the_deadline():
    origine = Releve(D(100), ORIGINE)
    assert regles.valeur_sur_trajectoire(origine, D(200), ECHEANCE, ORIGINE) == D(100)
    assert regles.valeur_sur_trajectoire(origine, D(200), ECHEANCE, datetime.date(2019, 1, 1)) == D(100)
    assert regles.valeur_sur_trajectoire(origine, D(200), ECHEANCE, ECHEANCE) == D(200)
    assert regles.valeur_sur_trajectoire(origine, D(200), ECHEANCE, datetime.date(2035, 1, 1)) == D(200)


@pytest.mark.parametrize(
    ("valeur", "statut"),
    [
        (D(210), regles.ATTEINT),
        (D(200), regles.ATTEINT),
        (D(170), regles.EN_BONNE_VOIE),  # ahead of the line
        (D(150), regles.EN_BONNE_VOIE),  # on the line
        (D(141), regles.EN_BONNE_VOIE),  # 9 % of the distance behind
        (D(139), regles.A_SURVEILLER),  # 11 % behind
        (D(126), regles.A_SURVEILLER),  # 24 % behind
        (D(124), regles.EN_RETARD),  # 26 % behind
        (D(90), regles.EN_RETARD),  # going the wrong way
    ],
)
def test_an_increase_is_judged_by_its_gap_to_the_line_as_a_share_of_the_distance(valeur, statut):
    resultat = evaluer(Releve(valeur, MILIEU), Releve(D(100), ORIGINE))
    assert resultat.statut == statut


@pytest.mark.parametrize(
    ("valeur", "statut"),
    [(D(80), regles.ATTEINT), (D(87), regles.EN_BONNE_VOIE), (D(90), regles.A_SURVEILLER), (D(93), regles.EN_RETARD)],
)
def test_a_decrease_from_94_to_80_percent(valeur, statut):
    resultat = evaluer(Releve(valeur, MILIEU), sens="baisse", reference=D(94), cible=D(80))
    assert resultat.statut == statut


def test_progress_is_the_share_of_the_distance_covered_and_the_expected_share_at_the_measurement_date():
    resultat = evaluer(Releve(D(130), MILIEU), sens="hausse")
    assert resultat.avancement == D("30.00")
    assert resultat.avancement_attendu == D("50.01")


def test_a_measurement_is_judged_on_its_own_date_not_the_evaluation_date():
    # 30 % done after 30 % of the time: on track, even if evaluated years later (but flagged as stale).
    trois_ans = datetime.date(2023, 1, 1)
    assert evaluer(Releve(D(130), trois_ans), jour=datetime.date(2023, 6, 1)).statut == regles.EN_BONNE_VOIE
    assert evaluer(Releve(D(130), trois_ans), jour=datetime.date(2025, 1, 1)).statut == regles.A_SURVEILLER


def test_after_the_deadline_a_target_not_met_is_late():
    resultat = evaluer(Releve(D(199), ECHEANCE), jour=datetime.date(2030, 1, 2))
    assert resultat.statut == regles.EN_RETARD


def test_a_relative_indicator_measures_the_change_from_a_zero_baseline():
    # « Réduire de 30 % » : -13 % after half the time is behind the -15 % expected, within 10 % of the distance.
    resultat = evaluer(Releve(D(-13), MILIEU), sens="baisse", reference=D(0), cible=D(-30))
    assert resultat.statut == regles.EN_BONNE_VOIE
    assert resultat.valeur_attendue == D("-15.0041")


def test_without_a_baseline_the_target_met_is_still_reached():
    assert evaluer(Releve(D(85), MILIEU), reference=None, cible=D(80)).statut == regles.ATTEINT


def test_without_a_baseline_a_single_measurement_date_cannot_be_placed_on_a_trajectory():
    resultat = evaluer(Releve(D(50), MILIEU), reference=None, cible=D(80))
    assert resultat.statut == regles.NON_RENSEIGNE
    assert resultat.valeur_attendue is None


def test_without_a_baseline_the_first_measurement_becomes_the_origin():
    premiere = Releve(D(20), ORIGINE)
    resultat = evaluer(Releve(D(30), MILIEU), premiere, reference=None, cible=D(80))

    assert (resultat.valeur_origine, resultat.date_origine, resultat.reference_constatee) == (D(20), ORIGINE, True)
    assert resultat.avancement == D("16.67")
    assert resultat.statut == regles.EN_RETARD  # 17 % of the way after half the time


def test_the_programme_start_is_the_origin_when_the_fiche_gives_no_date():
    resultat = evaluer(date_ref=None)
    assert resultat.date_origine == regles.DEBUT_PROGRAMME == datetime.date(2019, 9, 13)


def test_a_level_to_reach_is_met_within_its_tolerance():
    assert evaluer(Releve(D("99"), MILIEU), sens="atteindre", reference=None, cible=D(100)).statut == regles.ATTEINT
    assert evaluer(Releve(D("97"), MILIEU), sens="atteindre", reference=None, cible=D(100)).statut != regles.ATTEINT


def test_a_fall_back_below_a_target_the_origin_already_met_is_late():
    premiere = Releve(D(90), ORIGINE)  # observed origin already above the 80 target
    assert evaluer(Releve(D(70), MILIEU), premiere, reference=None, cible=D(80)).statut == regles.EN_RETARD


def test_a_huge_progress_is_bounded_to_fit_its_column():
    resultat = evaluer(Releve(D("1e12"), MILIEU), sens="baisse", reference=D(1), cible=D("0.9999"))
    assert resultat.avancement == -regles.AVANCEMENT_BORNE
