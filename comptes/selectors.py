"""Accounts: the reads."""

from django.db.models import QuerySet

from comptes.models import Profil


def projets_ids_of(user) -> QuerySet:
    """Ids of the projects the user's organisation takes part in (as lead, co-lead, partner or funder).

    Reached through the organisation's partnerships: projects are the laureates'
    layer, above this one.
    """
    return Profil.objects.filter(user_id=user.pk, organisation__partenariats__isnull=False).values_list(
        "organisation__partenariats__projet", flat=True
    )
