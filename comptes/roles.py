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


# Officers work in the admin through this group (created by migration 0002, joined by
# compte_create): what the admin offers them is what its permissions list.
GROUPE_CHARGES = "Chargés de programme"


def sees_the_admin(request) -> bool:
    """Whether the admin index would show this user at least one model (the header's link)."""
    from django.contrib import admin

    if not hasattr(request, "user"):
        return False
    return admin.site.has_permission(request) and bool(admin.site.get_app_list(request))
