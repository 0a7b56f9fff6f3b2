"""Who reads a project's conventions in the portal's pages: the ledger's readers, and its own partners.

Officers and directors read every project's ledger. A partner reads the conventions of
a project its organisation takes part in (as the API scopes the ledger for partners),
or of which it is the beneficiary.
"""

from comptes.models import Profil
from comptes.roles import role_of
from comptes.selectors import projets_ids_of


def voit_conventions(user, projet, *, beneficiaire_id: int | None = None) -> bool:
    role = role_of(user)
    if role in (Profil.Role.CHARGE, Profil.Role.DIRECTEUR):
        return True
    if role != Profil.Role.PARTENAIRE:
        return False
    organisation_id = user.profil.organisation_id
    if organisation_id is not None and organisation_id in (beneficiaire_id, projet.chef_de_file_id):
        return True
    return projet.pk in set(projets_ids_of(user))
