#!/usr/bin/env bash
# Schemathesis against the running API, on a throwaway PostgreSQL database holding the
# 24 laureates and the demo activity: every check, every phase, anonymously and with a
# token of each role.
# Usage: scripts/fuzz_api.sh [max examples per operation, default 25]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
EXEMPLES=${1:-25}
BASE="ti_fuzz_$$"
PORT=${FUZZ_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}

export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="fuzz-$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')"
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$BASE"
export CELERY_BROKER_URL=redis://127.0.0.1:6379/13
# The throttles have their own tests; here they would only slow the fuzzer down.
export THROTTLE_ANONYME=100000/min THROTTLE_PARTENAIRE=100000/min THROTTLE_DIRECTEUR=100000/min THROTTLE_CHARGE=100000/min

psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $BASE" >/dev/null
SERVEUR=""
nettoyer() {
  [ -n "$SERVEUR" ] && kill "$SERVEUR" 2>/dev/null && wait "$SERVEUR" 2>/dev/null
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $BASE WITH (FORCE)" >/dev/null
}
trap nettoyer EXIT

# The production storage reads its manifest: without it every HTML page (a 404 too) fails.
$BIN/python manage.py collectstatic --no-input -v0
$BIN/python manage.py migrate --no-input -v0
$BIN/python manage.py charger_laureats -v0
declare -A JETONS
JETONS[charge]=$($BIN/python manage.py creer_compte fuzz-charge --role charge --jeton | tail -n 1)
JETONS[directeur]=$($BIN/python manage.py creer_compte fuzz-directeur --role directeur --region 84 --jeton | tail -n 1)
JETONS[partenaire]=$($BIN/python manage.py creer_compte fuzz-partenaire --role partenaire \
  --organisation "Association Biovallée" --jeton | tail -n 1)
# A programme in progress, not a fresh install: measures in every status, conventions with
# paid, partly paid and overdue tranches and amendments, some with their publication fields
# and an establishment, others not; equity commitments, payments, releases and reversals,
# some signed by the officer. Without these rows every nullable field (engagement_origine,
# versement_origine, auteur, convention, tranche, etablissement...) is null, and the
# response conformance check never sees a filled one.
$BIN/python manage.py generer_demo --auteur fuzz-charge -v0

# --limit-request-line 0: the fuzzer sends query strings of several kilobytes
# (a parameter repeated fifty times). Gunicorn's own 4 KiB cap would answer 414
# before Django sees them; the point here is what the portal answers (400 with
# the parameter named), so the HTTP server's line cap is lifted for this run.
$BIN/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --log-level warning \
  --limit-request-line 0 &
SERVEUR=$!
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/api/schema/" -o /dev/null && break; sleep 0.5; done
kill -0 "$SERVEUR"  # our server, not another one already on that port

# Every check but positive_data_acceptance: it expects any schema-valid body to
# succeed, while some refusals depend on the data (a slug that does not exist, a
# name already taken, a measurement already validated, an amount under 0.01).
# Those are documented 400/409 answers, not schema violations.
statut=0
for role in anonyme partenaire directeur charge; do
  echo "== schemathesis : $role"
  entete=()
  [ "$role" != anonyme ] && entete=(-H "Authorization: Token ${JETONS[$role]}")
  $BIN/schemathesis run "http://127.0.0.1:$PORT/api/schema/" "${entete[@]}" \
    --checks all --exclude-checks positive_data_acceptance --phases examples,coverage,fuzzing,stateful --max-examples "$EXEMPLES" \
    --workers 1 --seed 20190913 --no-color || statut=1
done
exit $statut
