"""What the portal answers when a service it depends on is down.

Redis (the shared cache): the cache only holds counters and shortcuts, so its loss
must not cost a single request. FailOpenRedisCache answers as a miss or a no-op
when Redis cannot be reached, logs a warning (at most one a minute per process),
and leaves Redis alone for a few seconds before trying again, so that a dead or
unreachable server costs each request nothing rather than a timeout per call.

PostgreSQL: without it nothing can be read, but a client still deserves an answer
it can act on. DatabaseOutageMiddleware turns a lost connection into a 503 with
Retry-After: problem details in French under /api/, a standalone DSFR page
elsewhere, rendered without touching the database (no request context, no user).
"""

import logging
import sys
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from redis import exceptions as redis_exceptions

from config.api_exceptions import reponse_probleme

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again while PostgreSQL is down.
RETRY_AFTER_SECONDES = 30

# The server is unreachable: every operation would fail the same way.
_INJOIGNABLE = (redis_exceptions.ConnectionError, redis_exceptions.TimeoutError)


class _EtatRedis:
    """Per process and per server: until when Redis is left alone, and when the last warning was logged."""

    PAUSE_APRES_ECHEC = 5.0
    INTERVALLE_AVERTISSEMENTS = 60.0

    def __init__(self):
        self.verrou = threading.Lock()
        self.pause_jusqua = 0.0
        self.dernier_avertissement = float("-inf")
        self.echecs_tus = 0

    def en_pause(self) -> bool:
        return time.monotonic() < self.pause_jusqua

    def echec(self, exc: Exception, *, injoignable: bool) -> None:
        maintenant = time.monotonic()
        with self.verrou:
            if injoignable:
                self.pause_jusqua = maintenant + self.PAUSE_APRES_ECHEC
            if maintenant - self.dernier_avertissement < self.INTERVALLE_AVERTISSEMENTS:
                self.echecs_tus += 1
                return
            tus, self.echecs_tus = self.echecs_tus, 0
            self.dernier_avertissement = maintenant
        logger.warning(
            "Cache Redis indisponible (%s: %s) : lu comme vide, écritures ignorées%s.",
            type(exc).__name__,
            exc,
            f" ; {tus} autre(s) échec(s) depuis le dernier avertissement" if tus else "",
        )


_etats: dict[str, _EtatRedis] = {}
_etats_verrou = threading.Lock()


def _etat(serveur: str) -> _EtatRedis:
    with _etats_verrou:
        return _etats.setdefault(serveur, _EtatRedis())


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache that treats an unreachable server as an empty cache.

    Reads are misses, writes are dropped, add() reports the key stored and incr()
    counts from zero: a throttle or a lockout counter fails open instead of
    answering 500. Errors other than the client's (a ValueError for incr() on a
    missing key, for instance) pass through unchanged.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        # Django builds one cache object per thread; the pause and the warnings are the process's.
        self._etat = _etat(",".join(self._servers))

    def _essayer(self, operation, repli, *args):
        if self._etat.en_pause():
            return repli
        try:
            return operation(*args)
        except redis_exceptions.RedisError as exc:
            self._etat.echec(exc, injoignable=isinstance(exc, _INJOIGNABLE))
            return repli

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._essayer(super().add, True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._essayer(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._essayer(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._essayer(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._essayer(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._essayer(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._essayer(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._essayer(super().incr, delta, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._essayer(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._essayer(super().delete_many, None, keys, version)

    def clear(self):
        return self._essayer(super().clear, False)


def _panne_notee(sender, request=None, **kwargs):
    """An exception Django turned into a 500 outside any view (a middleware's): note a database outage."""
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, (OperationalError, InterfaceError)):
        request.panne_base_de_donnees = exc


got_request_exception.connect(_panne_notee, dispatch_uid="config.pannes.panne_notee")


class DatabaseOutageMiddleware:
    """PostgreSQL unreachable: 503 with Retry-After, problem details under /api/, a DSFR page elsewhere.

    A view's failure arrives through process_exception; a failure in an inner
    middleware (the session or the user being loaded or saved) has already become
    a 500 by the time it comes back here, so the request carries a mark instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        exc = getattr(request, "panne_base_de_donnees", None)
        if exc is not None and response.status_code == 500:
            return self.reponse_panne(request, exc)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return self.reponse_panne(request, exception)
        return None

    @staticmethod
    def reponse_panne(request, exc) -> HttpResponse:
        logger.error("Base de données injoignable (%s: %s) : %s répond 503.", type(exc).__name__, exc, request.path)
        if request.path.startswith("/api/"):
            response = reponse_probleme(
                request,
                503,
                "Service momentanément indisponible : la base de données ne répond pas. "
                f"Réessayez dans {RETRY_AFTER_SECONDES} secondes.",
            )
        else:
            # No request: no context processor runs, so nothing asks the database for the user.
            contenu = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDES})
            response = HttpResponse(contenu, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDES)
        return response
