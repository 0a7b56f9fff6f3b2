"""Worker loss on Redis: the visibility timeout against what a live worker may hold a task for.

See config/settings/base.py, "Worker loss". test_worker.py kills a real worker;
these check the defaults an operator gets without setting anything.
"""

import pytest

from config.settings.base import celery_transport_options
from indicateurs.tasks import RETRY_BACKOFF_MAX, envoyer_syntheses_task, evaluer_indicateurs_task


@pytest.fixture
def options(monkeypatch) -> dict:
    monkeypatch.delenv("CELERY_VISIBILITY_TIMEOUT", raising=False)
    return celery_transport_options("redis://127.0.0.1:6379/0")


def test_a_killed_worker_s_task_is_redelivered_within_minutes_not_kombu_s_hour(options):
    balayage = options["unacked_restore_interval"] * options["unacked_restore_throttle"]
    assert options["visibility_timeout"] + balayage <= 15 * 60


@pytest.mark.parametrize("tache", [evaluer_indicateurs_task, envoyer_syntheses_task], ids=lambda t: t.name)
def test_no_task_is_redelivered_while_a_live_worker_still_holds_it(options, tache):
    # Acknowledged once it returns, rejected back to the queue if its pool process dies.
    assert tache.acks_late and tache.reject_on_worker_lost
    # Held unacknowledged at most: a retry's countdown, then the run up to the hard time limit.
    limite = tache.time_limit or tache.app.conf.task_time_limit
    attente = tache.retry_backoff_max if tache.autoretry_for else 0
    assert limite + attente < options["visibility_timeout"]


def test_the_timeout_can_be_set_by_the_environment(monkeypatch):
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "1800")
    assert celery_transport_options("rediss://redis.example:6380/0")["visibility_timeout"] == 1800


def test_the_embedded_filesystem_broker_keeps_its_folders_and_no_redis_option():
    options = celery_transport_options("filesystem://")
    assert set(options) == {"data_folder_in", "data_folder_out", "control_folder"}


def test_a_longer_time_limit_lengthens_the_default_timeout(monkeypatch):
    from config.settings import base

    monkeypatch.delenv("CELERY_VISIBILITY_TIMEOUT", raising=False)
    monkeypatch.setattr(base, "CELERY_TASK_TIME_LIMIT", 30 * 60)
    assert celery_transport_options("redis://127.0.0.1:6379/0")["visibility_timeout"] > 30 * 60 + RETRY_BACKOFF_MAX
