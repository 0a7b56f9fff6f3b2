from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """The public contract: `?page=` and `?page_size=` (capped at 100)."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is not None and (not value.isdigit() or int(value) < 1):
            # DRF would silently fall back to the default size; a client should know.
            raise exceptions.ValidationError({self.page_size_query_param: "Entier positif attendu (100 au plus)."})
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        page = request.query_params.get(self.page_query_param)
        if page is not None and page != "last" and not page.isdigit():
            raise exceptions.ValidationError({self.page_query_param: "Numéro de page entier attendu."})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = "Nombre de résultats par page (1 à 100 ; au-delà, 100)."
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters

    def get_paginated_response_schema(self, schema):
        # Every page carries all four keys, `next` and `previous` null at the ends:
        # a generated client may then read them without checking they exist.
        schema = super().get_paginated_response_schema(schema)
        schema["required"] = ["count", "next", "previous", "results"]
        return schema
