"""Deployment checks of what the login limits and API throttles rely on."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Backends whose counters each process keeps to itself.
CACHES_PAR_PROCESSUS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs) -> list[Warning]:
    """The per-address login limit and the API throttles count in the cache: it must be shared."""
    if settings.CACHES["default"]["BACKEND"] not in CACHES_PAR_PROCESSUS:
        return []
    return [
        Warning(
            "Le cache n'est pas partagé (CACHE_URL non défini) : chaque processus gunicorn compte pour lui "
            "seul les limites de débit de l'API et des connexions.",
            hint="Définir CACHE_URL, p. ex. redis://hote:6379/1.",
            id="comptes.W001",
        )
    ]
