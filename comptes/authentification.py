"""Who is calling: API tokens and the token named in the history.

Passwords are checked only by the login pages (portal and admin), through django-axes'
backend: one lockout per username and client address (settings: AXES_*).
"""

import math
from datetime import timedelta

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.db.models import Max
from django.shortcuts import render
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


def lockout_response(request, original_response, credentials):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): the DSFR page, 429, and the time left.

    Attempts made while locked are not counted, so the lockout ends a cool-off after the
    last recorded failure of this username from this address.
    """
    derniere = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials), ip_address=request.axes_ip_address
    ).aggregate(derniere=Max("attempt_time"))["derniere"]
    fin = (derniere or timezone.now()) + get_cool_off(request)
    attente = max(1, math.ceil((fin - timezone.now()).total_seconds()))
    response = render(
        request,
        "registration/verrouillage.html",
        {"echecs": settings.AXES_FAILURE_LIMIT, "minutes": math.ceil(attente / 60)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(attente)
    return response


LONGUEUR_MOTIF = 100  # simple_history's history_change_reason


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
        # The history keeps 100 characters of reason: a long token name is cut, never a failed write.
        history_instance.history_change_reason = (f"{motif} ({via})" if motif else via)[:LONGUEUR_MOTIF]
