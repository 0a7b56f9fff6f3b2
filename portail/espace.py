"""/mon-espace/: where each role lands after logging in."""

from django.contrib.auth.views import redirect_to_login

from comptes.models import Profil
from comptes.roles import role_of
from portail.accueil import accueil_charge, accueil_directeur
from portail.espace_partenaire import espace_partenaire


def espace(request):
    """A partner's space, a director's home on their regions, an officer's home; anyone else logs in first."""
    role = role_of(request.user)
    if role is None:
        return redirect_to_login(request.get_full_path())
    if role == Profil.Role.PARTENAIRE:
        return espace_partenaire(request)
    if role == Profil.Role.DIRECTEUR:
        return accueil_directeur(request)
    return accueil_charge(request)
