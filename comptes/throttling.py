"""Throttling: the API by programme role, the login pages by client address.

The client address is DRF's `get_ident`: REMOTE_ADDR, or the address the trusted
proxies wrote in X-Forwarded-For (settings.TRUSTED_PROXIES → NUM_PROXIES).
"""

import math
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from rest_framework import throttling
from rest_framework.settings import api_settings

from comptes.roles import role_of


class RoleRateThrottle(throttling.SimpleRateThrottle):
    """Requests per role and per user (per address when anonymous); 429 with Retry-After."""

    def get_rate(self):
        # The rate depends on the caller's role, known only in allow_request().
        return None

    def allow_request(self, request, view):
        self.scope = role_of(request.user) or "anonyme"
        self.rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return f"throttle_{self.scope}_{ident}"


class ConnexionRateThrottle(throttling.SimpleRateThrottle):
    """Login attempts per client address, whatever the username (settings.THROTTLE_CONNEXION)."""

    scope = "connexion"

    def get_rate(self):
        return settings.THROTTLE_CONNEXION

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def connexion_throttled(view):
    """Login views: past the rate, a POST gets a 429 page with Retry-After and never reaches the form."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            throttle = ConnexionRateThrottle()
            if not throttle.allow_request(request, view):
                attente = max(1, math.ceil(throttle.wait() or 1))
                response = render(
                    request,
                    "registration/trop_de_tentatives.html",
                    {"title": "Trop de tentatives de connexion", "attente_secondes": attente},
                    status=429,
                )
                response["Retry-After"] = str(attente)
                return response
        return view(request, *args, **kwargs)

    return wrapper
