"""The floor server: a minimal WSGI application that answers the measured URLs with the floors' bytes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ti_bench_10k \\
      .venv/bin/gunicorn bench.serveur_plancher:application --workers 2 --bind 127.0.0.1:8001

bench/mesurer.py runs it under the same gunicorn command line as the portal (2 sync
workers, the same options) and loads both with the same wrk options, in alternated
runs: the portal's throughput / the floor server's is what Django, DRF and the
portal's code cost under load, over the same database and the same HTTP server.

Each request is one SQL query on psycopg2 (bench/planchers.py) and its orjson
encoding; no Django. Each worker opens its own connection on its first request
(after gunicorn's fork) and keeps it, as Django's persistent connections do.
"""

import os

import psycopg2

from bench import planchers

# Full path with its query string → the floor that answers it.
ROUTES = {
    "/api/v1/projets/?page_size=100": planchers.projets,
    "/api/v1/mesures/?page_size=100": planchers.mesures_page,
    "/api/v1/projets/?updated_since=2000-01-01&page_size=100": planchers.projets_sync,
    "/api/v1/enveloppes/": planchers.enveloppes,  # what mesurer.py polls until the server is up
}

_curseur = None


def curseur():
    """The worker's cursor: one connection per worker process, opened after the fork."""
    global _curseur  # noqa: PLW0603
    if _curseur is None or _curseur.connection.closed:
        connexion = psycopg2.connect(os.environ["DATABASE_URL"])
        connexion.autocommit = True
        _curseur = planchers.curseur(connexion)
    return _curseur


def application(environ, start_response):
    chemin = environ.get("PATH_INFO", "")
    if environ.get("QUERY_STRING"):
        chemin += "?" + environ["QUERY_STRING"]
    plancher = ROUTES.get(chemin)
    if environ.get("REQUEST_METHOD") != "GET" or plancher is None:
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "0")])
        return [b""]
    corps = plancher(curseur())
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(corps)))])
    return [corps]
