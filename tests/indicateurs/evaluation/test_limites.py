"""The status limits of indicateurs.evaluation.regles, tested exactly at each limit and just past it.

A trajectory from 0 on ORIGINE to 1000 on ECHEANCE, 4000 days later, so that the
share of time elapsed on a whole day is an exact decimal: the gaps below are
exactly 10 % and 25 % of the distance, or 0.01 % past them, with no rounding.
The same cases run through the rules in Python and, on PostgreSQL, through the
statement that evaluates inside the database (indicateurs.evaluation.sql.EVALUATION).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from indicateurs import services
from indicateurs.evaluation import moteur, regles
from indicateurs.models import Evaluation
from tests.indicateurs.factories import IndicateurFactory, MesureFactory

D = Decimal
ORIGINE = datetime.date(2020, 1, 1)
ECHEANCE = ORIGINE + datetime.timedelta(days=4000)
CIBLE = D(1000)


def _jour(jours: int) -> datetime.date:
    return ORIGINE + datetime.timedelta(days=jours)


# A value measured 2400 days in (60 % of the time, 600 expected), judged 200 days later (fresh).
MESURE_A_L_HEURE = _jour(2400)
JOUR = _jour(2600)
ECARTS = [
    (D("500"), regles.EN_BONNE_VOIE),  # exactly 10 % of the distance behind
    (D("499.9"), regles.A_SURVEILLER),  # 10.01 % behind
    (D("350"), regles.A_SURVEILLER),  # exactly 25 % behind
    (D("349.9"), regles.EN_RETARD),  # 25.01 % behind
]
# Values on the line (a quarter of their day count), so only their age decides: 548 days is still fresh.
FRAICHEUR = [
    (2600 - 548, regles.EN_BONNE_VOIE),
    (2600 - 549, regles.A_SURVEILLER),
]


def _sur_la_ligne(jours: int) -> Decimal:
    return CIBLE * jours / 4000


def _evaluer(valeur: Decimal, date: datetime.date) -> str:
    releve = regles.Releve(valeur, date)
    return regles.evaluer(
        sens="hausse", valeur_reference=D(0), date_reference=ORIGINE, valeur_cible=CIBLE,
        echeance=ECHEANCE, jour=JOUR, derniere=releve, premiere=releve,
    ).statut  # fmt: skip


@pytest.mark.parametrize(("valeur", "statut"), ECARTS)
def test_a_gap_of_exactly_the_tolerance_keeps_the_better_status_and_one_past_it_does_not(valeur, statut):
    assert _evaluer(valeur, MESURE_A_L_HEURE) == statut


@pytest.mark.parametrize(("jours", "statut"), FRAICHEUR)
def test_a_value_548_days_old_is_fresh_and_549_days_old_is_stale(jours, statut):
    assert _sur_la_ligne(jours) == D(jours) / 4
    assert _evaluer(_sur_la_ligne(jours), _jour(jours)) == statut


def _cas() -> dict[int, str]:
    """One indicator per case, with its single validated measurement: {pk: expected status}."""
    cas = [(valeur, MESURE_A_L_HEURE, statut) for valeur, statut in ECARTS]
    cas += [(_sur_la_ligne(jours), _jour(jours), statut) for jours, statut in FRAICHEUR]
    attendus = {}
    for valeur, date, statut in cas:
        indicateur = IndicateurFactory(
            valeur_reference=D(0), date_reference=ORIGINE, valeur_cible=CIBLE, echeance=ECHEANCE
        )
        MesureFactory(indicateur=indicateur, date=date, valeur=valeur, validee=True)
        attendus[indicateur.pk] = statut
    return attendus


def _statuts(pks) -> dict[int, str]:
    return dict(Evaluation.objects.filter(date=JOUR, indicateur_id__in=pks).values_list("indicateur_id", "statut"))


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="l'évaluation dans la base est celle de PostgreSQL")
def test_the_database_evaluation_applies_the_same_limits_at_the_limit():
    attendus = _cas()

    services.evaluation_run(date=JOUR)

    assert _statuts(attendus) == attendus


@pytest.mark.django_db
def test_the_python_evaluation_applies_the_same_limits_at_the_limit():
    attendus = _cas()

    moteur._evaluation_en_python(JOUR, moteur.TAILLE_LOT, None, moteur.RapportEvaluation(date=JOUR))

    assert _statuts(attendus) == attendus
