from django.core.paginator import Paginator
from django.db.models import QuerySet
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from config import synchro


class PaginatorCompte(Paginator):
    """Django's paginator, told the number of rows when the conditional GET has just counted them."""

    def __init__(self, object_list, *args, **kwargs):
        super().__init__(object_list, *args, **kwargs)
        compte = getattr(object_list, "compte_connu", None)
        if compte is not None:
            self.__dict__["count"] = compte


class PageNumberPagination(pagination.PageNumberPagination):
    """The public contract: `?page=` and `?page_size=` (capped at 100).

    A sync (`?updated_since=`) pages by keyset instead (config/synchro.py): in the sync's
    order (change key, id), up to the horizon, `next` an opaque cursor, `count` null (no
    count over a moving set), `previous` null (a sync goes forward).
    """

    django_paginator_class = PaginatorCompte
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is not None and (not value.isdigit() or int(value) < 1):
            # DRF would silently fall back to the default size; a client should know.
            raise exceptions.ValidationError({self.page_size_query_param: "Entier positif attendu (100 au plus)."})
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        self.synchro = isinstance(queryset, QuerySet) and synchro.CLE in queryset.query.annotations
        if self.synchro:
            return self.page_synchro(queryset, request)
        if request.query_params.get(synchro.PARAMETRE_CURSEUR) is not None:
            raise exceptions.ValidationError(
                {synchro.PARAMETRE_CURSEUR: "Le curseur ne s'emploie qu'avec updated_since, par le lien « next »."}
            )
        page = request.query_params.get(self.page_query_param)
        if page is not None and page != "last" and not page.isdigit():
            raise exceptions.ValidationError({self.page_query_param: "Numéro de page entier attendu."})
        return super().paginate_queryset(queryset, request, view)

    def page_synchro(self, queryset, request):
        if request.query_params.get(self.page_query_param) is not None:
            raise exceptions.ValidationError(
                {self.page_query_param: "Une synchronisation (updated_since) se parcourt par le lien « next »."}
            )
        self.request = request
        taille = self.get_page_size(request)
        lignes = queryset.filter(**{f"{synchro.CLE}__lt": synchro.horizon()}).order_by(synchro.CLE, "pk")
        curseur = request.query_params.get(synchro.PARAMETRE_CURSEUR)
        if curseur is not None:
            lignes = synchro.apres(lignes, *synchro.decoder(curseur))
        page = list(lignes[: taille + 1])
        self.suivant = None
        if len(page) > taille:
            page = page[:taille]
            derniere = page[-1]
            cle, pk = (derniere[synchro.CLE], derniere["pk"]) if isinstance(derniere, dict) else (
                getattr(derniere, synchro.CLE), derniere.pk)  # fmt: skip
            self.suivant = synchro.encoder(cle, pk)
        return page

    def get_paginated_response(self, data):
        if not getattr(self, "synchro", False):
            return super().get_paginated_response(data)
        return Response({"count": None, "next": self.get_next_link(), "previous": None, "results": data})

    def get_next_link(self):
        if not getattr(self, "synchro", False):
            return super().get_next_link()
        if self.suivant is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, synchro.PARAMETRE_CURSEUR, self.suivant)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = "Nombre de résultats par page (1 à 100 ; au-delà, 100)."
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = "Numéro de page ; pas avec `updated_since`, qui se parcourt par `next`."
        return parameters

    def get_paginated_response_schema(self, schema):
        # Every page carries all four keys, `next` and `previous` null at the ends:
        # a generated client may then read them without checking they exist.
        schema = super().get_paginated_response_schema(schema)
        schema["required"] = ["count", "next", "previous", "results"]
        if not getattr(self, "synchro_possible", True):
            return schema
        schema["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": "Nombre total de résultats ; null dans une synchronisation (`updated_since`), "
            "dont les pages se suivent par `next` sans compte.",
        }
        return schema
