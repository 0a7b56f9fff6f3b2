"""Who is calling: API tokens and the token named in the history.

Passwords are checked only by the login pages (portal and admin), through django-axes'
backend: one lockout per username and client address (settings: AXES_*).
"""

from datetime import timedelta

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
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


class LongueurIdentifiantMixin:
    """Django's login forms only tell the browser the username's maximum length: an overlong one
    reached authenticate(), and the lockout's 255-character column refused it (a 500)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))


class ConnexionForm(LongueurIdentifiantMixin, AuthenticationForm):
    """The portal's login form."""


class ConnexionAdminForm(LongueurIdentifiantMixin, AdminAuthenticationForm):
    """The admin's login form."""


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
