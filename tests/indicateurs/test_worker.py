"""The real parts: a Redis broker, Celery worker processes, django-celery-beat, PostgreSQL.

Each test starts its own worker processes on a queue of its own, pointed at
the pytest database, and kills them at teardown; every wait is bounded.
"""

import contextlib
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from indicateurs import services
from indicateurs.management.commands.planifier_taches import NOM
from indicateurs.models import ChangementStatut, Evaluation, Indicateur, Mesure
from indicateurs.tasks import evaluer_indicateurs_task

JOUR = datetime.date(2025, 6, 30)
# The test workers' broker visibility timeout (seconds): a killed worker's task is redelivered after it.
VISIBILITE = "5"
BASE_DIR = Path(settings.BASE_DIR)


def _redis_joignable() -> bool:
    url = urlparse(settings.CELERY_BROKER_URL)
    if url.scheme != "redis":
        return False
    try:
        with socket.create_connection((url.hostname, url.port or 6379), timeout=0.5):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(not _redis_joignable(), reason="nécessite Redis (CELERY_BROKER_URL=redis://…) joignable"),
]


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def queue():
    nom = f"test-indicateurs-{uuid.uuid4().hex[:8]}"
    yield nom
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(nom, f"_kombu.binding.{nom}", f"_kombu.binding_permanent.{nom}")
    # And what a killed worker left unacknowledged on it (kombu keeps [message, exchange, routing key]).
    for etiquette, charge in client.hgetall("unacked").items():
        if json.loads(charge)[2] == nom:
            client.hdel("unacked", etiquette)
            client.zrem("unacked_index", etiquette)


@pytest.fixture
def workers(postgresql, tmp_path):
    """Start Celery workers (optionally with beat) in their own process groups; all are killed at teardown."""
    lances: list[tuple[subprocess.Popen, Path]] = []

    def demarrer(queue: str, *, beat: bool = False, **env) -> tuple[subprocess.Popen, Path]:
        journal = tmp_path / f"worker-{len(lances)}.log"
        commande = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--pool", "prefork",
            "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "-n", f"{queue}-{len(lances)}@%h",
        ]  # fmt: skip
        if beat:
            commande += ["-B", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
                         "-s", str(tmp_path / "celerybeat-schedule")]  # fmt: skip
        environnement = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.indicateurs.reglages_worker",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            **env,
        }
        with journal.open("w") as sortie:
            processus = subprocess.Popen(
                commande, cwd=BASE_DIR, env=environnement, stdout=sortie, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a kill reaches the pool's children too
            )  # fmt: skip
        lances.append((processus, journal))
        return processus, journal

    yield demarrer
    for processus, _ in lances:
        _tuer(processus)


def _tuer(processus: subprocess.Popen) -> None:
    if processus.poll() is None:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(processus.pid, signal.SIGKILL)
    processus.wait(timeout=10)


def _attendre(condition, *, delai: float, message: str, journaux: list[Path]) -> None:
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        if condition():
            return
        time.sleep(0.2)
    traces = "\n".join(f"--- {j.name}\n{j.read_text()[-3000:]}" for j in journaux if j.exists())
    pytest.fail(f"{message} (après {delai} s)\n{traces}")


def _etat(date: datetime.date) -> list:
    """Everything a run writes, by public identifiers (not row ids)."""
    return [
        *Evaluation.objects.filter(date=date).order_by("indicateur__code").values_list(
            "indicateur__code", "statut", "valeur_origine", "date_origine", "reference_constatee", "valeur_attendue",
            "mesure__uid", "valeur_mesuree", "date_mesure", "avancement", "avancement_attendu",
        ),
        *ChangementStatut.objects.filter(date=date).order_by("indicateur__code").values_list(
            "indicateur__code", "ancien_statut", "nouveau_statut"
        ),
    ]  # fmt: skip


def _evaluations(date: datetime.date) -> dict:
    """The evaluations of `date` by row id: which indicator, and what was written."""
    return {
        pk: ligne
        for pk, *ligne in Evaluation.objects.filter(date=date).values_list(
            "pk", "indicateur_id", "statut", "valeur_attendue", "valeur_mesuree", "avancement", "avancement_attendu"
        )
    }


def _quelques_mesures() -> None:
    """The day before, nothing was measured; since then, validated values make four statuses change."""
    services.evaluation_run(date=JOUR - datetime.timedelta(days=1))
    valeurs = {
        "biovallee-production-energie-locale": "500",
        "morbihan-flexibilite-energetique-usage-voiture-individuelle": "93",
        "strasbourg-territoire-de-sante-de-demain-non-recours-soins": "3.9",
        "vilagil-trajets-economises": "12000",
    }
    for code, valeur in valeurs.items():
        for date in (datetime.date(2022, 12, 31), datetime.date(2024, 12, 31)):
            Mesure.objects.create(
                indicateur=Indicateur.objects.get(code=code), date=date, source="Test",
                valeur=Decimal(valeur) * (date.year - 2020) / 4,
                statut=Mesure.Statut.VALIDEE, decision_le=datetime.datetime.now(datetime.UTC),
            )  # fmt: skip


def test_a_real_worker_and_beat_run_the_scheduled_evaluation(programme_charge, workers, queue):
    # As an officer would in the admin: the daily task, switched to every second, once, on this test's queue.
    from django.core.management import call_command

    call_command("planifier_taches")
    tache = PeriodicTask.objects.get(name=NOM)
    tache.crontab = None
    tache.interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    tache.one_off, tache.queue = True, queue
    tache.save()
    nombre = Indicateur.objects.count()

    _, journal = workers(queue, beat=True)

    _attendre(
        lambda: Evaluation.objects.count() == nombre,
        delai=60,
        message="le worker n'a pas écrit une évaluation par indicateur",
        journaux=[journal],
    )
    _attendre(lambda: "succeeded" in journal.read_text(), delai=30, message="tâche non terminée", journaux=[journal])
    assert Evaluation.objects.values("date").distinct().count() == 1
    traces = journal.read_text()
    assert f"Sending due task {NOM} (indicateurs.evaluer_indicateurs)" in traces  # sent by beat, not by the test
    assert "Task indicateurs.evaluer_indicateurs[" in traces


def test_a_whole_worker_killed_mid_run_is_followed_by_one_that_completes_the_day_without_duplicate_or_gap(
    programme_charge, workers, queue
):
    _quelques_mesures()
    indicateurs = set(Indicateur.objects.values_list("pk", flat=True))
    # Ten indicators per range, one second after each: the run lasts about ten seconds. The
    # visibility timeout is shortened as an operator would, through the environment.
    premier, journal_premier = workers(
        queue, INDICATEURS_TAILLE_LOT="10", INDICATEURS_PAUSE_ENTRE_LOTS="1", CELERY_VISIBILITY_TIMEOUT=VISIBILITE
    )
    tache = evaluer_indicateurs_task.apply_async(kwargs={"date": JOUR.isoformat()}, queue=queue)

    _attendre(
        lambda: Evaluation.objects.filter(date=JOUR).count() >= 20,
        delai=60,
        message="le premier worker n'a pas commencé l'évaluation",
        journaux=[journal_premier],
    )
    # The main process and its pool child at once: nobody is left to reject the task back to its queue.
    os.killpg(premier.pid, signal.SIGKILL)
    premier.wait(timeout=10)
    avant = _evaluations(JOUR)
    assert 20 <= len(avant) < len(indicateurs), "le SIGKILL devait tomber au milieu de l'évaluation"
    assert "succeeded" not in journal_premier.read_text()

    # The task was never acknowledged: Redis hands it to the next worker once it is older than the
    # visibility timeout (a sweep at the worker's start, then every 10 s). With kombu's default hour,
    # not within this wait.
    _, journal_second = workers(queue, CELERY_VISIBILITY_TIMEOUT=VISIBILITE)
    _attendre(
        lambda: f"[{tache.id}] succeeded" in journal_second.read_text(),
        delai=60,
        message=(
            f"le second worker n'a pas repris l'évaluation : la tâche du worker tué n'a pas été redistribuée "
            f"(délai de visibilité demandé : {VISIBILITE} s)"
        ),
        journaux=[journal_premier, journal_second],
    )

    # The very same message, redelivered: received by both workers, completed by the second only.
    assert f"[{tache.id}] received" in journal_premier.read_text()
    assert f"[{tache.id}] received" in journal_second.read_text()

    # The whole day: one evaluation per indicator, none missing, none twice.
    jour = list(Evaluation.objects.filter(date=JOUR).values_list("indicateur_id", flat=True))
    assert len(jour) == len(indicateurs)
    assert set(jour) == indicateurs
    assert ChangementStatut.objects.filter(date=JOUR).count() == 4
    # The rows written before the kill are still there, the same rows with the same values.
    apres = _evaluations(JOUR)
    assert {pk: apres.get(pk) for pk in avant} == avant

    # The same run from scratch, in this process, writes exactly the same rows.
    repris = _etat(JOUR)
    Evaluation.objects.filter(date=JOUR).delete()
    ChangementStatut.objects.filter(date=JOUR).delete()
    services.evaluation_run(date=JOUR)
    assert _etat(JOUR) == repris
