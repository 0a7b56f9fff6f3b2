"""Conditional GET for the API's lists and details: a strong ETag from the data, before any serialization.

The ETag of a response is a digest of:

- an aggregate over the filtered set of rows: their number, and the latest value of
  each timestamp the representation depends on (the sync's own and nested stamps,
  `etag_sources` for the other tables it reads), and the number of nested rows
  counted by `etag_comptes` (a nested row deleted leaves no timestamp behind);
- the request's path, query and format (each page, filter and CSV has its own);
- the reader's scope: who they are, their role and what it covers (the visible rows
  and fields differ per role, `API_PORTEE_LECTEUR`);
- the day: some fields are computed at the day of the request (overdue, expected).

Any write to a row of the set moves its timestamp or the count, so the ETag changes;
a write to a row outside the set leaves it alone. A detail reads its nested rows'
timestamps through joins on its one row; a list reads them table-wide, from their
indexes, in the same query (joining every row of a large set to its nested rows would
cost more than the page: a write to a nested row elsewhere then changes the list's
ETag too, conservative, never stale). The count is handed to the paginator, which
does not count again.

`If-None-Match` naming the current ETag (or `*`) gets a 304 with no body.
"""

import hashlib
from functools import cache

from django.conf import settings
from django.db.models import Count, Max, QuerySet, Subquery, Value
from django.http import HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.module_loading import import_string

from config import synchro

VARY = ["Accept", "Authorization", "Cookie"]


@cache
def _portee():
    return import_string(settings.API_PORTEE_LECTEUR)


def _modele_au_bout(modele, chemin: str):
    """The model and field a lookup path ends on: `allocations__modifie_le` -> (Allocation, "modifie_le")."""
    *relations, champ = chemin.split("__")
    for nom in relations:
        modele = modele._meta.get_field(nom).related_model
    return modele, champ


class ConditionnelMixin:
    """ETag and 304 (see the module's docstring): `ListeMixin.list()` and `DetailMixin.retrieve()` answer through it."""

    etag_sources: tuple[str, ...] = ()
    etag_comptes: tuple[str, ...] = ()

    def etag_champs(self) -> list[str]:
        """The timestamps aggregated: the sync's, if the view has one, and `etag_sources`."""
        from config.api_tools import UpdatedSinceFilter

        propres = synchro.champs(self) if UpdatedSinceFilter in self.filter_backends else []
        return list(dict.fromkeys([*propres, *self.etag_sources]))

    def etag_valeurs(self, queryset: QuerySet) -> dict:
        champs = self.etag_champs()
        imbriques = [c for c in champs if "__" in c]
        query = queryset.query
        groupe = query.group_by is not None or any(
            getattr(a, "contains_aggregate", False) for a in query.annotations.values()
        )
        if groupe:
            # Aggregates over a grouped set would count groups of joins: the rows by their ids instead.
            queryset = queryset.model._default_manager.filter(pk__in=queryset.order_by().values("pk"))
        else:
            queryset = queryset.order_by()
        par_jointure = self.action == "retrieve"
        # Joined nested rows repeat a row: count it once (table-wide stamps are subqueries, no join).
        joint = bool(self.etag_comptes) or (bool(imbriques) and par_jointure)
        agregats = {"n": Count("pk", distinct=joint)}
        for i, champ in enumerate(champs):
            if not par_jointure and "__" in champ:
                # The latest nested stamp of the whole table, from its index, in the same query.
                modele, nom = _modele_au_bout(queryset.model, champ)
                tout = modele._default_manager.order_by().annotate(un=Value(1)).values("un").annotate(m=Max(nom))
                agregats[f"max{i}"] = Max(Subquery(tout.values("m")))
            else:
                agregats[f"max{i}"] = Max(champ)
        for i, chemin in enumerate(self.etag_comptes):
            agregats[f"nb{i}"] = Count(chemin, distinct=True)
        return queryset.aggregate(**agregats)

    def etag(self, queryset: QuerySet) -> tuple[str, int]:
        request = self.request
        valeurs = self.etag_valeurs(queryset)
        empreinte = repr(
            (
                type(self).__qualname__,
                self.action,
                request.get_full_path(),
                getattr(request.accepted_renderer, "format", ""),
                _portee()(request.user),
                timezone.localdate().isoformat(),
                sorted(valeurs.items()),
            )
        )
        return f'"{hashlib.sha256(empreinte.encode()).hexdigest()[:32]}"', valeurs["n"]

    def conditionnel(self, queryset: QuerySet, repondre):
        etag, nombre = self.etag(queryset)
        demandes = parse_etags(self.request.headers.get("If-None-Match", ""))
        if "*" in demandes or etag in {e.removeprefix("W/") for e in demandes}:
            reponse = HttpResponseNotModified()
        else:
            queryset.compte_connu = nombre  # the paginator's count (config/pagination.py)
            reponse = repondre(queryset)
        if reponse.status_code in (200, 304):
            reponse["ETag"] = etag
            patch_vary_headers(reponse, VARY)
        return reponse
