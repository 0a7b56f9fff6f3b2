"""Search that ignores accents and case: "metropole" finds "Métropole".

Programme officers and partners type names as they come ("Reunion", "drome");
the fiches spell them with their accents. Every search goes through the
`unaccent` lookup of django.contrib.postgres, applied to both sides of the
match: on PostgreSQL it is the `unaccent` extension (created by territoires'
migration 0003); on SQLite, the embedded default, the same SQL function is
registered on each new connection (territoires' AppConfig), written in Python.
"""

import unicodedata

from django.db.models import Q
from rest_framework.filters import SearchFilter


def sans_accents(texte: str | None) -> str | None:
    """ "Saint-Étienne Métropole" -> "Saint-Etienne Metropole"."""
    if texte is None:
        return None
    return "".join(c for c in unicodedata.normalize("NFKD", texte) if not unicodedata.combining(c))


def unaccent_sur_sqlite(sender, connection, **kwargs) -> None:
    """connection_created: SQLite gets the UNACCENT() function PostgreSQL has."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("UNACCENT", 1, sans_accents, deterministic=True)


def contient(champ: str, mot: str) -> Q:
    """`champ` contains `mot`, whatever the case and the accents."""
    return Q(**{f"{champ}__unaccent__icontains": mot})


class RechercheFilter(SearchFilter):
    """The API's `search`: every word somewhere in the view's search_fields, as `contient` matches."""

    def construct_search(self, field_name, queryset):
        lookup = super().construct_search(field_name, queryset)
        if lookup.endswith("__icontains"):
            return lookup.removesuffix("icontains") + "unaccent__icontains"
        return lookup
