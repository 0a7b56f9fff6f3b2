"""Accounts, roles and API tokens: the services and the DRF authentication."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework import authentication, exceptions

from laureats.models import JetonAPI, Organisation, Profil
from territoires.models import Region

# Writing the last-use date on every request would turn each read into a write.
DERNIERE_UTILISATION_PRECISION = timedelta(minutes=1)


def _empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


def compte_create(
    *,
    username: str,
    role: str,
    regions: list[str] | None = None,
    organisation: str | None = None,
    email: str = "",
    mot_de_passe: str | None = None,
) -> AbstractBaseUser:
    """Create a user with a role; a director needs regions, a partner an organisation."""
    errors = {}
    if role not in Profil.Role.values:
        errors["role"] = f"Rôle inconnu « {role} » ; valeurs possibles : {', '.join(Profil.Role.values)}."
    region_objs = list(Region.objects.filter(code__in=regions or []))
    unknown = set(regions or []) - {r.code for r in region_objs}
    if unknown:
        errors["regions"] = f"Code(s) INSEE inconnu(s) : {', '.join(sorted(unknown))}."
    if role == Profil.Role.DIRECTEUR and not regions:
        errors["regions"] = "Un·e directeur·rice régional·e suit au moins une région."
    organisation_obj = None
    if organisation:
        organisation_obj = Organisation.objects.filter(nom=organisation).first() or (
            Organisation.objects.filter(slug=organisation).first()
        )
        if organisation_obj is None:
            errors["organisation"] = f"Organisation inconnue « {organisation} »."
    elif role == Profil.Role.PARTENAIRE:
        errors["organisation"] = "Un partenaire appartient à une organisation."
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        errors["username"] = f"L'identifiant « {username} » est déjà pris."
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email, is_staff=(role == Profil.Role.CHARGE))
        if mot_de_passe:
            user.set_password(mot_de_passe)
        else:
            user.set_unusable_password()
        user.save()
        profil = Profil.objects.create(user=user, role=role, organisation=organisation_obj)
        profil.regions.set(region_objs)
    return user


def jeton_create(*, user: AbstractBaseUser, nom: str = "jeton") -> tuple[JetonAPI, str]:
    """Create a named token; returns the row and the clear token, shown only once."""
    if JetonAPI.objects.filter(user=user, nom=nom).exists():
        raise ValidationError({"nom": f"Un jeton nommé « {nom} » existe déjà pour cet utilisateur."})
    clair = secrets.token_urlsafe(32)
    jeton = JetonAPI.objects.create(user=user, nom=nom, prefixe=clair[:8], empreinte=_empreinte(clair))
    return jeton, clair


def jeton_revoke(*, jeton: JetonAPI) -> None:
    JetonAPI.objects.filter(pk=jeton.pk, revoque_le__isnull=True).update(revoque_le=timezone.now())


class JetonAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <jeton>`, looked up by its hash; revoked tokens fail."""

    def authenticate_credentials(self, key: str):
        jeton = (
            JetonAPI.objects.select_related("user", "user__profil")
            .filter(empreinte=_empreinte(key), revoque_le__isnull=True)
            .first()
        )
        if jeton is None or not jeton.user.is_active:
            raise exceptions.AuthenticationFailed("Jeton invalide ou révoqué.")
        now = timezone.now()
        if jeton.derniere_utilisation is None or now - jeton.derniere_utilisation > DERNIERE_UTILISATION_PRECISION:
            JetonAPI.objects.filter(pk=jeton.pk).update(derniere_utilisation=now)
        jeton.user.jeton_api = jeton
        return jeton.user, jeton


def role_of(user) -> str | None:
    """The user's role; superusers act as programme officers."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Profil.Role.CHARGE
    profil = getattr(user, "profil", None)
    return profil.role if profil else None


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
    """Audit plumbing: a change made through the API records the token's name.

    The history user is already the API user: DRF sets it on the request that
    simple_history's middleware keeps.
    """
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    jeton = getattr(getattr(request, "user", None), "jeton_api", None)
    if jeton is not None and not getattr(history_instance, "history_change_reason", None):
        history_instance.history_change_reason = f"API — jeton « {jeton.nom} »"
