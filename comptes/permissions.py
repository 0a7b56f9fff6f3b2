"""DRF permissions and HTML view guards by programme role (see comptes.roles.role_of)."""

from rest_framework import permissions

from comptes.models import Profil
from comptes.roles import role_of


class AAUnRole(permissions.BasePermission):
    message = "Authentification requise (jeton d'un compte du programme)."

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) is not None


class LectureParRoleEcritureCharge(permissions.BasePermission):
    """Every role reads (each sees what its queryset allows); only officers write."""

    message = "Écriture réservée aux chargé·es de programme."

    def has_permission(self, request, view) -> bool:
        role = role_of(request.user)
        if request.method in permissions.SAFE_METHODS:
            return role is not None
        return role == Profil.Role.CHARGE


class EstChargeDeProgramme(permissions.BasePermission):
    message = "Réservé aux chargé·es de programme."

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) == Profil.Role.CHARGE


class EstChargeOuDirecteur(permissions.BasePermission):
    message = "Réservé aux chargé·es de programme et aux directeur·rices régionaux·ales."

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) in (Profil.Role.CHARGE, Profil.Role.DIRECTEUR)


def role_required(*roles: str):
    """HTML views: anonymous users go to the login page, other roles get a 403."""
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in roles:
                raise PermissionDenied("Cette page n'est pas ouverte à votre rôle.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class EstDeclarant(permissions.BasePermission):
    """Who declares measurements: partners (for their organisation's projects) and officers."""

    message = "Réservé aux partenaires et aux chargé·es de programme."

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) in (Profil.Role.PARTENAIRE, Profil.Role.CHARGE)
