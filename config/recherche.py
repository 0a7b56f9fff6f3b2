"""Search that ignores accents and case on PostgreSQL: "metropole" finds "Métropole".

Programme officers and partners type names as they come ("Reunion", "Ile-de-France");
the fiches spell them with their accents. On PostgreSQL the `unaccent` extension
(created by territoires' migration 0003) strips them from both sides of the match;
elsewhere (SQLite, the embedded default) the match ignores case only.
"""

from django.db import connection
from django.db.models import Q
from rest_framework.filters import SearchFilter


def _sans_accents() -> bool:
    return connection.vendor == "postgresql"


def contient(champ: str, mot: str) -> Q:
    """`champ` contains `mot`, whatever the case, and on PostgreSQL whatever the accents."""
    return Q(**{f"{champ}__unaccent__icontains" if _sans_accents() else f"{champ}__icontains": mot})


class RechercheFilter(SearchFilter):
    """The API's `search`: every word somewhere in the view's search_fields, as `contient` matches."""

    def construct_search(self, field_name, queryset):
        lookup = super().construct_search(field_name, queryset)
        if _sans_accents() and lookup.endswith("__icontains"):
            return lookup.removesuffix("icontains") + "unaccent__icontains"
        return lookup
