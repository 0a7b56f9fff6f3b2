"""The evaluation rules at their exact boundaries, on both sides (indicateurs.evaluation.regles, no database).

Written to kill the mutants `make mutation` found alive in indicateurs/evaluation/regles.py:
each threshold is checked on the value that sits exactly on it and on the
nearest value past it, and each rounding on a value that ends in a 5.
The trajectory below runs 1000 days from 100 to 200, so that the expected share
at day 500 is exactly one half and the figures can be computed by hand.
"""

import datetime
from decimal import Decimal

import pytest

from indicateurs.evaluation import regles
from indicateurs.evaluation.regles import Releve

D = Decimal
ORIGINE = datetime.date(2020, 1, 1)
ECHEANCE = ORIGINE + datetime.timedelta(days=1000)
JOUR_500 = ORIGINE + datetime.timedelta(days=500)
CENT, DEUX_CENTS = D(100), D(200)


def evaluer(
    derniere, *, jour=JOUR_500, sens="hausse", reference=CENT, cible=DEUX_CENTS, date_ref=ORIGINE, premiere=None
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


@pytest.mark.parametrize(
    ("valeur", "ecart", "statut"),
    [
        (D("140"), D("0.10"), regles.EN_BONNE_VOIE),  # exactly 10 % of the distance behind
        (D("139.99"), D("0.1001"), regles.A_SURVEILLER),
        (D("125"), D("0.25"), regles.A_SURVEILLER),  # exactly 25 % behind
        (D("124.99"), D("0.2501"), regles.EN_RETARD),
    ],
)
def test_a_gap_exactly_on_a_tolerance_gets_the_kinder_status_and_one_hundredth_more_does_not(valeur, ecart, statut):
    resultat = evaluer(Releve(valeur, JOUR_500))

    # Expected share: 500 / 1000 days; share covered: (valeur - 100) / (200 - 100).
    assert D(500) / D(1000) - (valeur - D(100)) / D(100) == ecart
    assert resultat.statut == statut
    assert resultat.avancement_attendu == D("50.00")


def test_a_value_on_track_turns_to_watch_the_day_after_eighteen_months_without_a_report():
    jour_100 = ORIGINE + datetime.timedelta(days=100)
    releve = Releve(D(110), jour_100)  # exactly on the line: 10 % of the way after 10 % of the time
    fin_de_fraicheur = jour_100 + regles.FRAICHEUR_MAX  # 548 days later, still before the deadline
    assert fin_de_fraicheur < ECHEANCE

    assert evaluer(releve, jour=fin_de_fraicheur).statut == regles.EN_BONNE_VOIE
    assert evaluer(releve, jour=fin_de_fraicheur + datetime.timedelta(days=1)).statut == regles.A_SURVEILLER


def test_on_the_deadline_day_a_target_not_met_is_still_judged_on_the_line_and_late_the_day_after():
    releve = Releve(D(195), ECHEANCE)  # 95 % of the distance on the last day: 5 % behind

    assert evaluer(releve, jour=ECHEANCE).statut == regles.EN_BONNE_VOIE
    assert evaluer(releve, jour=ECHEANCE + datetime.timedelta(days=1)).statut == regles.EN_RETARD


@pytest.mark.parametrize(
    ("valeur", "atteint"),
    [(D("98"), True), (D("97.99"), False), (D("102"), True), (D("102.01"), False)],
)
def test_a_level_is_reached_within_exactly_two_percent_of_the_target_on_either_side(valeur, atteint):
    # No baseline: the tolerance is 2 % of the target itself, 2 on a target of 100.
    resultat = evaluer(Releve(valeur, JOUR_500), sens="atteindre", reference=None, cible=D(100))
    assert (resultat.statut == regles.ATTEINT) is atteint


def test_a_level_with_a_baseline_is_reached_within_two_percent_of_the_distance():
    # From 100 to 200 the distance is 100: 198 is within 2, 197.99 is not (and is far ahead of the line).
    assert evaluer(Releve(D("198"), JOUR_500), sens="atteindre").statut == regles.ATTEINT
    assert evaluer(Releve(D("197.99"), JOUR_500), sens="atteindre").statut == regles.EN_BONNE_VOIE


def test_a_baseline_dated_on_the_deadline_gives_no_trajectory():
    resultat = evaluer(Releve(D(150), JOUR_500), date_ref=ECHEANCE)

    assert resultat.statut == regles.NON_RENSEIGNE
    assert (resultat.valeur_origine, resultat.valeur_attendue, resultat.avancement) == (None, None, None)


def test_a_baseline_dated_the_day_before_the_deadline_is_a_trajectory_of_one_day():
    veille = ECHEANCE - datetime.timedelta(days=1)
    resultat = evaluer(Releve(D(150), ECHEANCE), date_ref=veille, jour=ECHEANCE)

    assert resultat.date_origine == veille
    assert resultat.valeur_attendue == D(200)
    # Half way on the deadline day, where the line has reached the target: 50 % behind.
    assert (resultat.avancement, resultat.avancement_attendu) == (D("50.00"), D("100.00"))
    assert resultat.statut == regles.EN_RETARD


def test_the_expected_value_is_rounded_half_up_to_four_decimals():
    # From 10 to 10.0001 the line is at 10.00005 half way: half up gives 10.0001 (half even would give 10.0000).
    origine = Releve(D(10), ORIGINE)
    assert regles.valeur_sur_trajectoire(origine, D("10.0001"), ECHEANCE, JOUR_500) == D("10.0001")
    # And away from zero below it: -10.00005 becomes -10.0001.
    origine = Releve(D(-10), ORIGINE)
    assert regles.valeur_sur_trajectoire(origine, D("-10.0001"), ECHEANCE, JOUR_500) == D("-10.0001")


def test_progress_is_rounded_half_up_to_two_decimals():
    # 12.345 % of the distance covered: half up gives 12.35 (half even would give 12.34).
    resultat = evaluer(Releve(D("112.345"), JOUR_500))
    assert resultat.avancement == D("12.35")


@pytest.mark.parametrize(
    ("valeur", "avancement"),
    [
        (D("1000100"), D("1000000.00")),  # exactly the bound: 1 000 000 % of the distance
        (D("1000100.01"), regles.AVANCEMENT_BORNE),  # past it, kept at the bound
        (D("-999900"), D("-1000000.00")),
        (D("-999900.01"), -regles.AVANCEMENT_BORNE),
    ],
)
def test_progress_is_bounded_at_a_million_percent_on_both_sides(valeur, avancement):
    # Distance 100: a value of 1 000 100 covers 1 000 000 / 100 = 10 000 times it, i.e. 1 000 000 %.
    resultat = evaluer(Releve(valeur, JOUR_500))
    assert resultat.avancement == avancement


def test_a_target_equal_to_its_baseline_and_not_met_is_late_with_no_progress_to_compute():
    # Distance 0: no share of it can be computed (it would divide by zero); the origin already met the target.
    resultat = evaluer(Releve(D(90), JOUR_500), reference=D(200), cible=D(200))

    assert resultat.statut == regles.EN_RETARD
    assert (resultat.valeur_origine, resultat.date_origine, resultat.valeur_attendue) == (D(200), ORIGINE, D(200))
    assert (resultat.avancement, resultat.avancement_attendu) == (None, None)


def test_a_value_falling_back_below_a_target_the_origin_met_keeps_its_trajectory():
    # Origin 210 above the 200 target (a "hausse"): 190 half way is late, and the page still shows the line.
    resultat = evaluer(Releve(D(190), JOUR_500), reference=D(210), cible=D(200))

    assert resultat.statut == regles.EN_RETARD
    assert (resultat.valeur_origine, resultat.valeur_attendue) == (D(210), D(205))
    # Distance -10 (from 210 to 200), moved -20: twice the distance, 200 %, the target was passed the wrong way.
    assert (resultat.avancement, resultat.avancement_attendu) == (D("200.00"), D("50.00"))


def test_after_the_deadline_a_late_result_keeps_its_trajectory():
    resultat = evaluer(Releve(D(180), ECHEANCE), jour=ECHEANCE + datetime.timedelta(days=1))

    assert resultat.statut == regles.EN_RETARD
    assert (resultat.valeur_origine, resultat.valeur_attendue) == (D(100), D(200))
    assert (resultat.avancement, resultat.avancement_attendu) == (D("80.00"), D("100.00"))
