"""How the author of a write is shown, and to whom.

A username is half of a login: the portal shows it only to programme officers,
who administer the accounts (the admin lists and searches them by username, and
an officer names an account by it to revoke a token or reset a password), and
to the author themself. Everyone else (directors, partners) reads the author's
full name, else the author's role. Every page, API field and export naming the
author of a record goes through `auteur_pour`.
"""

from comptes.models import Profil
from comptes.roles import role_of

# An account without a programme role (created in the admin and never given a profile).
SANS_ROLE = "Compte du portail"


def voit_les_identifiants(lecteur) -> bool:
    """Whether `lecteur` reads usernames: programme officers (superusers included).

    Anything but a user (None, or "" from a template without `user`) reads as the public.
    """
    return getattr(lecteur, "is_authenticated", False) is True and role_of(lecteur) == Profil.Role.CHARGE


def auteur_pour(auteur, lecteur) -> str | None:
    """`auteur` (a user or None) as `lecteur` (a user, anonymous or None) may see them.

    The author's profile is read for the role label: querysets listing authors
    select `auteur__profil` so that a list costs no query per row.
    """
    if auteur is None:
        return None
    if voit_les_identifiants(lecteur) or (getattr(lecteur, "pk", None) is not None and lecteur.pk == auteur.pk):
        return auteur.get_username()
    if nom := auteur.get_full_name().strip():
        return nom
    role = role_of(auteur)
    return Profil.Role(role).label if role else SANS_ROLE
