"""API throttling by programme role."""

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
