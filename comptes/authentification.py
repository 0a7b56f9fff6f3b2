"""Who is calling: API tokens, the login form and its lockout, the token named in the history."""

from datetime import timedelta

from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework import authentication, exceptions

from comptes.models import JetonAPI, empreinte_de

# Writing the last-use date on every request would turn each read into a write.
DERNIERE_UTILISATION_PRECISION = timedelta(minutes=1)


class JetonAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <jeton>`, looked up by its hash; revoked tokens fail."""

    def authenticate_credentials(self, key: str):
        jeton = (
            JetonAPI.objects.select_related("user", "user__profil")
            .filter(empreinte=empreinte_de(key), revoque_le__isnull=True)
            .first()
        )
        if jeton is None or not jeton.user.is_active:
            raise exceptions.AuthenticationFailed("Jeton invalide ou révoqué.")
        now = timezone.now()
        if jeton.derniere_utilisation is None or now - jeton.derniere_utilisation > DERNIERE_UTILISATION_PRECISION:
            JetonAPI.objects.filter(pk=jeton.pk).update(derniere_utilisation=now)
        jeton.user.jeton_api = jeton
        return jeton.user, jeton


# Login brute force: after this many failures an account is locked for a while,
# even for the right password. Counters live in the cache (Redis in production,
# shared by the web workers).
VERROU_ECHECS = 10
VERROU_DUREE = timedelta(minutes=15)


def _cle_verrou(username: str) -> str:
    return f"connexion-echecs:{username.strip().lower()}"


def connexion_verrouillee(username: str) -> bool:
    return cache.get(_cle_verrou(username), 0) >= VERROU_ECHECS


def connexion_echec(username: str) -> None:
    cle = _cle_verrou(username)
    cache.add(cle, 0, timeout=VERROU_DUREE.total_seconds())
    cache.incr(cle)


def connexion_reussie(username: str) -> None:
    cache.delete(_cle_verrou(username))


class ConnexionForm(AuthenticationForm):
    """Django's login form, locked after VERROU_ECHECS failures for VERROU_DUREE."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if connexion_verrouillee(username):
            raise ValidationError(
                f"Trop de tentatives de connexion : compte bloqué {int(VERROU_DUREE.total_seconds() // 60)} minutes.",
                code="verrouille",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            connexion_echec(username)
            raise
        connexion_reussie(username)
        return cleaned


def note_api_token_in_history(sender, history_instance, **kwargs) -> None:
    """Audit plumbing: a change made through the API records the token's name, after the service's reason.

    The history user is already the API user: DRF sets it on the request that
    simple_history's middleware keeps.
    """
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    jeton = getattr(getattr(request, "user", None), "jeton_api", None)
    if jeton is not None:
        via = f"API — jeton « {jeton.nom} »"
        motif = getattr(history_instance, "history_change_reason", None)
        history_instance.history_change_reason = f"{motif} ({via})" if motif else via
