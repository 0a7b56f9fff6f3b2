"""`manage.py planifier_taches`: the daily evaluation in django-celery-beat, created once, then left to the admin."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from indicateurs.management.commands.planifier_taches import NOM
from indicateurs.tasks import evaluer_indicateurs_task

pytestmark = pytest.mark.django_db


def test_it_schedules_the_evaluation_every_day_at_six(capsys):
    call_command("planifier_taches")

    tache = PeriodicTask.objects.get(name=NOM)
    assert tache.task == evaluer_indicateurs_task.name == "indicateurs.evaluer_indicateurs"
    assert (tache.crontab.hour, tache.crontab.minute, tache.crontab.day_of_week) == ("6", "0", "*")
    assert str(tache.crontab.timezone) == "Europe/Paris"
    assert tache.enabled
    assert "tous les jours à 6 h 00" in capsys.readouterr().out


def test_running_it_again_changes_nothing(capsys):
    call_command("planifier_taches")
    avant = list(PeriodicTask.objects.values())

    call_command("planifier_taches")

    assert list(PeriodicTask.objects.values()) == avant
    assert "rien à changer" in capsys.readouterr().out


def test_a_schedule_edited_in_the_admin_is_kept_unless_reset():
    call_command("planifier_taches")
    toutes_les_heures, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.filter(name=NOM).update(crontab=None, interval=toutes_les_heures)

    call_command("planifier_taches")
    assert PeriodicTask.objects.get(name=NOM).interval == toutes_les_heures

    call_command("planifier_taches", "--reinitialiser")
    tache = PeriodicTask.objects.get(name=NOM)
    assert tache.interval is None and tache.crontab.hour == "6"


def test_the_tasks_are_acknowledged_late_and_time_limited():
    from indicateurs.tasks import envoyer_syntheses_task

    for tache in (evaluer_indicateurs_task, envoyer_syntheses_task):
        assert tache.acks_late and tache.reject_on_worker_lost
        assert tache.soft_time_limit < tache.time_limit
        assert tache.retry_backoff and tache.max_retries == 5
