#!/usr/bin/env bash
# Starts the whole portal on the embedded default: SQLite, and a Celery worker
# with its beat on kombu's filesystem broker (no server needed). The same code
# runs on PostgreSQL + Redis when DATABASE_URL and CELERY_BROKER_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.local}
ADRESSE=${ADRESSE:-127.0.0.1:8000}

$BIN/python manage.py migrate --no-input
$BIN/python manage.py charger_laureats --si-vide
$BIN/python manage.py planifier_taches  # the daily evaluation of the indicators (django-celery-beat)

# The worker runs beat in the same process (-B): one process to supervise here;
# docker-compose.yml runs them apart, as production does.
$BIN/celery -A config worker -B --concurrency 1 --loglevel INFO \
  --scheduler django_celery_beat.schedulers:DatabaseScheduler \
  --schedule var/celerybeat-schedule >var/celery.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
echo "Worker Celery et beat démarrés (journal : var/celery.log)."
echo "Portail : http://$ADRESSE/  —  API : http://$ADRESSE/api/v1/  —  documentation : http://$ADRESSE/api/docs/"
$BIN/python manage.py runserver "$ADRESSE" --noreload
