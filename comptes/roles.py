"""Role policy: what a user acts as in the programme."""

from comptes.models import Profil


def role_of(user) -> str | None:
    """The user's role; superusers act as programme officers."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Profil.Role.CHARGE
    profil = getattr(user, "profil", None)
    return profil.role if profil else None


def portee(user) -> str:
    """What decides the rows and fields a reader sees: who, their role, and the regions or organisation it covers.

    Part of the API's ETags (config/conditionnel.py, settings.API_PORTEE_LECTEUR): two readers
    whose visible rows differ never share one.
    """
    if not user.is_authenticated:
        return "anonyme"
    profil = getattr(user, "profil", None)
    regions = sorted(profil.regions.values_list("code", flat=True)) if profil and profil.role == "directeur" else []
    return f"{user.pk}:{role_of(user)}:{profil.organisation_id if profil else ''}:{','.join(regions)}"


# Officers work in the admin through this group (created by migration 0002, joined by
# compte_create): what the admin offers them is what its permissions list.
GROUPE_CHARGES = "Chargés de programme"


# Whether the header links to the admin: decided at login and kept in the session, so that
# portal pages load no permissions. The admin itself checks them on every request.
SESSION_ADMINISTRATION = "voit_l_administration"


def sees_the_admin(request) -> bool:
    """Whether the admin index would show this user at least one model."""
    from django.contrib import admin

    if not hasattr(request, "user"):
        return False
    return admin.site.has_permission(request) and bool(admin.site.get_app_list(request))


def note_admin_access(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: remember in the session whether to link to the admin."""
    if request is None or not hasattr(request, "session"):
        return
    if not hasattr(request, "user"):  # test clients' force_login
        request.user = user
    request.session[SESSION_ADMINISTRATION] = sees_the_admin(request)
