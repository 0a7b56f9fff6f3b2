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
