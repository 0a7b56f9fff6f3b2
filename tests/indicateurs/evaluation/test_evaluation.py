"""evaluation_run and `manage.py evaluer_indicateurs`: set-based, one row per indicator and date, idempotent."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from indicateurs import services
from indicateurs.models import ChangementStatut, Evaluation, Indicateur, Mesure, Statut
from tests.indicateurs.factories import IndicateurFactory, MesureFactory

pytestmark = pytest.mark.django_db

JOUR = datetime.date(2025, 6, 30)
# On PostgreSQL: the indicators' pks, to cut the ranges; then per range its advisory
# lock and one statement (read, evaluate, upsert the evaluations and the changes,
# delete the stale changes), and the savepoint pair of the range's transaction in a test.
REQUETES_PAR_LOT = 5


def _biovallee():
    return Indicateur.objects.get(code="biovallee-production-energie-locale")


def _etat() -> list:
    return [
        *Evaluation.objects.order_by("indicateur_id", "date").values_list(
            "indicateur_id", "date", "statut", "valeur_attendue", "valeur_mesuree", "avancement", "mesure_id"
        ),
        *ChangementStatut.objects.order_by("indicateur_id", "date").values_list(
            "indicateur_id", "date", "ancien_statut", "nouveau_statut"
        ),
    ]


def test_every_indicator_gets_one_evaluation_for_the_date():
    rapport = services.evaluation_run(date=JOUR)

    assert rapport.nb_indicateurs == Indicateur.objects.count() == 101
    assert Evaluation.objects.filter(date=JOUR).count() == 101
    assert rapport.par_statut == {Statut.NON_RENSEIGNE: 101}


def test_the_evaluation_stores_the_expected_value_progress_and_status():
    MesureFactory(indicateur=_biovallee(), date=datetime.date(2024, 12, 31), valeur=Decimal("500"), validee=True)

    services.evaluation_run(date=JOUR)

    evaluation = Evaluation.objects.get(indicateur=_biovallee(), date=JOUR)
    # 178 on 2019-09-13 to 790 on 2030-12-31: 2117 of 4127 days elapsed on 2025-06-30.
    assert evaluation.valeur_attendue == Decimal("491.9336")
    assert (evaluation.valeur_mesuree, evaluation.date_mesure) == (Decimal("500"), datetime.date(2024, 12, 31))
    assert evaluation.avancement == Decimal("52.61")
    assert evaluation.statut == Statut.EN_BONNE_VOIE


def test_only_validated_measurements_count():
    indicateur = _biovallee()
    MesureFactory(indicateur=indicateur, valeur=Decimal("790"))  # submitted
    MesureFactory(
        indicateur=indicateur,
        valeur=Decimal("790"),
        statut=Mesure.Statut.REJETEE,
        commentaire="Erronée",
        decision_le=timezone.now(),
    )
    MesureFactory(indicateur=indicateur, date=datetime.date(2026, 1, 1), valeur=Decimal("790"), validee=True)  # later

    services.evaluation_run(date=JOUR)

    assert Evaluation.objects.get(indicateur=indicateur, date=JOUR).statut == Statut.NON_RENSEIGNE


def test_a_second_run_on_the_same_date_changes_nothing():
    MesureFactory(indicateur=_biovallee(), valeur=Decimal("300"), validee=True)
    services.evaluation_run(date=JOUR)
    avant = _etat()

    services.evaluation_run(date=JOUR)

    assert _etat() == avant
    assert Evaluation.objects.count() == 101


def test_a_status_change_is_kept_as_history_and_a_first_evaluation_without_data_is_not_one():
    indicateur = _biovallee()
    services.evaluation_run(date=datetime.date(2024, 6, 30))
    assert not ChangementStatut.objects.exists()

    MesureFactory(indicateur=indicateur, date=datetime.date(2024, 12, 31), valeur=Decimal("300"), validee=True)
    services.evaluation_run(date=JOUR)
    MesureFactory(indicateur=indicateur, date=datetime.date(2025, 12, 31), valeur=Decimal("790"), validee=True)
    services.evaluation_run(date=datetime.date(2026, 1, 31))

    historique = list(
        indicateur.changements_statut.order_by("date").values_list("date", "ancien_statut", "nouveau_statut")
    )
    assert historique == [
        (JOUR, Statut.NON_RENSEIGNE, Statut.EN_RETARD),
        (datetime.date(2026, 1, 31), Statut.EN_RETARD, Statut.ATTEINT),
    ]


def test_a_rerun_after_a_late_validation_rewrites_the_day_and_its_change():
    indicateur = _biovallee()
    services.evaluation_run(date=datetime.date(2024, 6, 30))
    mesure = MesureFactory(indicateur=indicateur, date=datetime.date(2024, 12, 31), valeur=Decimal("300"))
    services.evaluation_run(date=JOUR)
    assert not ChangementStatut.objects.exists()

    services.mesure_validate(mesure=mesure, by=None)
    services.evaluation_run(date=JOUR)

    assert Evaluation.objects.get(indicateur=indicateur, date=JOUR).statut == Statut.EN_RETARD
    assert ChangementStatut.objects.get().nouveau_statut == Statut.EN_RETARD


def test_a_change_that_no_longer_holds_is_removed_on_rerun():
    indicateur = _biovallee()
    mesure = MesureFactory(indicateur=indicateur, valeur=Decimal("300"), validee=True)
    services.evaluation_run(date=JOUR)
    assert ChangementStatut.objects.count() == 1

    Mesure.objects.filter(pk=mesure.pk).update(date=datetime.date(2026, 1, 1))  # now after the evaluation date
    services.evaluation_run(date=JOUR)

    assert not ChangementStatut.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    # bulk_create cuts its rows into batches under SQLite's bound-variable limit there:
    # the count grows with the indicators, by Django's doing, not ours.
    reason="nombre de requêtes fixé pour PostgreSQL ; SQLite découpe les insertions en lots",
)
def test_the_number_of_queries_does_not_grow_with_the_number_of_indicators(django_assert_num_queries):
    with django_assert_num_queries(REQUETES_PAR_LOT):
        services.evaluation_run(date=JOUR)

    for indicateur in IndicateurFactory.create_batch(30):
        MesureFactory(indicateur=indicateur, validee=True, valeur=Decimal("180"))

    # Thirty more indicators, thirty status changes: the same statements.
    with django_assert_num_queries(REQUETES_PAR_LOT):
        rapport = services.evaluation_run(date=JOUR)
    assert rapport.nb_indicateurs == 131 and rapport.nb_changements == 30


def test_chunks_are_committed_one_by_one_and_reported():
    tailles = []
    rapport = services.evaluation_run(date=JOUR, taille_lot=40, apres_lot=tailles.append)
    assert tailles == [40, 40, 21]
    assert rapport.nb_indicateurs == 101


def test_the_command_evaluates_at_a_given_date(capsys):
    call_command("evaluer_indicateurs", "--date", "2025-06-30", "--sans-barre")

    assert Evaluation.objects.filter(date=JOUR).count() == 101
    assert "101 indicateur(s) évalué(s) au 30/06/2025" in capsys.readouterr().out


def test_the_command_shows_a_progress_bar(capsys):
    call_command("evaluer_indicateurs", "--date", "2025-06-30")
    assert "101/101" in capsys.readouterr().err


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="Date invalide « 30/06/2025 »"):
        call_command("evaluer_indicateurs", "--date", "30/06/2025")
