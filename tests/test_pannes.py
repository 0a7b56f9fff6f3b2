"""A service down degrades the portal, never to a 500: Redis reads as an empty cache, PostgreSQL answers 503.

The end-to-end tests run the real application (gunicorn, the test settings, the
environment production uses) with CACHE_URL or DATABASE_URL pointing at a port
where nothing answers, or at a server that accepts connections and stays silent.
"""

import contextlib
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client, override_settings

from config import pannes
from config.pannes import RETRY_AFTER_SECONDES, FailOpenRedisCache
from tests.factories import compte, jeton

BASE_DIR = Path(settings.BASE_DIR)
MOT_DE_PASSE = "Mot-de-passe-solide-42"


def _port_ferme() -> int:
    """A port nothing listens on (the system just handed it out and it was released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _serveur_muet():
    """A server that accepts connections (the kernel's backlog does) and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        yield s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@contextlib.contextmanager
def _application(journal: Path, **env):
    """gunicorn serving the portal with the test settings and `env`; killed on exit, every wait bounded."""
    port = _port_ferme()
    with journal.open("w") as sortie:
        processus = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--timeout", "60"],
            cwd=BASE_DIR, env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
            stdout=sortie, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        fin = time.monotonic() + 30
        while True:
            assert processus.poll() is None, journal.read_text()
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            assert time.monotonic() < fin, f"gunicorn n'écoute pas après 30 s\n{journal.read_text()}"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(processus.pid, signal.SIGKILL)
        processus.wait(timeout=10)


def _jeton_csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


# Redis down: the shared cache reads as empty, nothing else changes.


@pytest.mark.postgresql
@pytest.mark.parametrize("panne", ["port fermé", "serveur muet"])
def test_with_redis_down_the_api_the_pages_and_the_login_answer_as_usual(postgresql, programme_charge, panne, tmp_path):
    compte("charge", username="marie", mot_de_passe=MOT_DE_PASSE)
    partenaire = jeton(compte("partenaire"))
    journal = tmp_path / "gunicorn.log"
    with contextlib.ExitStack() as pile:
        port_redis = _port_ferme() if panne == "port fermé" else pile.enter_context(_serveur_muet())
        base = pile.enter_context(
            _application(journal, DATABASE_URL=_database_url(), CACHE_URL=f"redis://127.0.0.1:{port_redis}/0")
        )
        debut = time.monotonic()

        projets = requests.get(f"{base}/api/v1/projets/", timeout=10)
        assert projets.status_code == 200, journal.read_text()
        assert projets.json()["count"] == 24
        par_jeton = {"Authorization": f"Token {partenaire}"}
        assert requests.get(f"{base}/api/v1/projets/", headers=par_jeton, timeout=10).status_code == 200
        assert requests.get(f"{base}/projets/", timeout=10).status_code == 200

        navigateur = requests.Session()
        jeton_csrf = _jeton_csrf(navigateur, f"{base}/connexion/")
        connexion = navigateur.post(
            f"{base}/connexion/",
            {"username": "marie", "password": MOT_DE_PASSE, "csrfmiddlewaretoken": jeton_csrf},
            allow_redirects=False,
            timeout=10,
        )
        assert connexion.status_code == 302, connexion.text[:2000]
        tableau_de_bord = navigateur.get(f"{base}/mon-espace/", timeout=10)  # the session is in the database
        assert tableau_de_bord.status_code == 200 and "/deconnexion/" in tableau_de_bord.text

        # The silent server costs the first cache call its timeout, then is left alone for a while.
        assert time.monotonic() - debut < 5
    assert "Cache Redis indisponible" in journal.read_text()


def _cache_injoignable(port: int | None = None) -> FailOpenRedisCache:
    return FailOpenRedisCache(
        f"redis://127.0.0.1:{port or _port_ferme()}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}},
    )


def test_an_unreachable_redis_reads_as_an_empty_cache_and_drops_writes(caplog):
    cache = _cache_injoignable()

    with caplog.at_level(logging.WARNING, logger="config.pannes"):
        assert cache.get("cle", "défaut") == "défaut"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("cle") is False
        assert cache.set("cle", 1) is None
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.add("compteur", 0) is True
        # A counter that cannot be read counts from zero: a throttle or a lockout fails open.
        assert cache.incr("compteur") == 1
        assert cache.get_or_set("cle", lambda: "calculé") == "calculé"
        assert cache.delete("cle") is False
        cache.delete_many(["a", "b"])
        assert cache.clear() is False

    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "Cache Redis indisponible (ConnectionError" in caplog.records[0].getMessage()


def test_after_a_failure_redis_is_left_alone_for_a_while_then_tried_again(monkeypatch):
    cache = _cache_injoignable()
    appels = []
    get_client = cache._cache.get_client
    monkeypatch.setattr(cache._cache, "get_client", lambda *a, **k: appels.append(1) or get_client(*a, **k))
    maintenant = [1000.0]
    monkeypatch.setattr(pannes.time, "monotonic", lambda: maintenant[0])

    for _ in range(20):
        cache.get("cle")
    assert len(appels) == 1

    maintenant[0] += pannes._EtatRedis.PAUSE_APRES_ECHEC + 0.1
    cache.get("cle")
    assert len(appels) == 2


def test_the_warning_is_logged_at_most_once_a_minute_with_the_failures_it_left_out(monkeypatch, caplog):
    cache = _cache_injoignable()
    maintenant = [1000.0]
    monkeypatch.setattr(pannes.time, "monotonic", lambda: maintenant[0])

    with caplog.at_level(logging.WARNING, logger="config.pannes"):
        for _ in range(3):
            maintenant[0] += pannes._EtatRedis.PAUSE_APRES_ECHEC + 0.1  # each call reaches Redis and fails
            cache.get("cle")
        maintenant[0] += pannes._EtatRedis.INTERVALLE_AVERTISSEMENTS
        cache.get("cle")

    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "2 autre(s) échec(s) depuis le dernier avertissement" in messages[1]


def test_with_redis_down_a_key_is_missing_as_the_cache_api_says():
    cache = _cache_injoignable()
    cache._etat.pause_jusqua = float("inf")
    with pytest.raises(ValueError, match="not found"):
        cache.incr_version("cle")


def test_with_cache_url_set_the_settings_use_the_fail_open_backend_with_short_timeouts():
    code = (
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'], c['LOCATION'], c['OPTIONS']['socket_connect_timeout'], c['OPTIONS']['socket_timeout'])"
    )
    sortie = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR, capture_output=True, text=True, timeout=60, check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "CACHE_URL": "redis://cache:6379/1"},
    ).stdout.split()  # fmt: skip

    assert sortie[:2] == ["config.pannes.FailOpenRedisCache", "redis://cache:6379/1"]
    assert float(sortie[2]) <= 1 and float(sortie[3]) <= 1
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


# PostgreSQL down: 503 with Retry-After, JSON under /api/, a DSFR page elsewhere.


def test_with_postgresql_down_the_api_pages_and_login_answer_503_with_retry_after(tmp_path):
    journal = tmp_path / "gunicorn.log"
    with _application(journal, DATABASE_URL=f"postgres://postgres@127.0.0.1:{_port_ferme()}/x") as base:
        api = requests.get(f"{base}/api/v1/projets/", timeout=10)
        page = requests.get(f"{base}/projets/", timeout=10)
        navigateur = requests.Session()
        jeton_csrf = _jeton_csrf(navigateur, f"{base}/connexion/")  # the empty form needs no database
        connexion = navigateur.post(
            f"{base}/connexion/",
            {"username": "marie", "password": MOT_DE_PASSE, "csrfmiddlewaretoken": jeton_csrf},
            allow_redirects=False,
            timeout=10,
        )

    assert api.status_code == 503, journal.read_text()
    assert api.headers["Retry-After"] == str(RETRY_AFTER_SECONDES)
    assert api.headers["Content-Type"] == "application/problem+json"
    assert "la base de données ne répond pas" in api.json()["detail"] and api.json()["status"] == 503
    for reponse in (page, connexion):
        assert reponse.status_code == 503, journal.read_text()
        assert reponse.headers["Retry-After"] == str(RETRY_AFTER_SECONDES)
        assert reponse.headers["Content-Type"].startswith("text/html")
        assert "<h1>Service momentanément indisponible</h1>" in reponse.text
        assert "dsfr.min.css" in reponse.text
        assert "<script" not in reponse.text
        # The headers of every page reach the outage page too.
        assert "default-src 'self'" in reponse.headers["Content-Security-Policy"]
        assert reponse.headers["X-Frame-Options"] == "DENY"
    assert "Base de données injoignable (OperationalError" in journal.read_text()


def test_a_postgresql_server_that_stays_silent_is_a_503_within_the_connect_timeout(tmp_path):
    journal = tmp_path / "gunicorn.log"
    with contextlib.ExitStack() as pile:
        port = pile.enter_context(_serveur_muet())
        base = pile.enter_context(
            _application(journal, DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/x", DATABASE_CONNECT_TIMEOUT="1")
        )
        debut = time.monotonic()
        api = requests.get(f"{base}/api/v1/projets/", timeout=20)
        duree = time.monotonic() - debut

    assert api.status_code == 503, journal.read_text()
    assert api.headers["Retry-After"] == str(RETRY_AFTER_SECONDES)
    assert duree < 5, f"{duree:.1f} s pour une base muette : le délai de connexion n'est pas borné"


class _SessionPerdue:
    """Stands for a session or authentication middleware whose query fails."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("server closed the connection unexpectedly")


def _avec_session_perdue() -> list[str]:
    position = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
    return [*settings.MIDDLEWARE[:position], f"{__name__}._SessionPerdue", *settings.MIDDLEWARE[position:]]


def test_a_database_failure_inside_a_middleware_is_a_503_too():
    with override_settings(MIDDLEWARE=_avec_session_perdue()):
        client = Client(raise_request_exception=False)
        api = client.get("/api/v1/projets/")
        page = client.get("/projets/")

    assert api.status_code == 503 and api["Retry-After"] == str(RETRY_AFTER_SECONDES)
    assert api.json()["detail"].startswith("Service momentanément indisponible")
    assert page.status_code == 503 and page["Retry-After"] == str(RETRY_AFTER_SECONDES)
    assert "<h1>Service momentanément indisponible</h1>" in page.content.decode()
