from django.http import JsonResponse

# Free-text parameters where an empty value simply means "none".
EMPTY_ALLOWED = {"search", "ordering"}


class ApiQueryParametersMiddleware:
    """Under /api/v1/, refuse query strings the filters would silently misread.

    A parameter given twice, given empty, or holding a NUL character (which
    PostgreSQL cannot store) is a 400 naming the parameter, not a guess.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/v1/"):
            errors = {}
            for key, values in request.GET.lists():
                if len(values) > 1:
                    errors[key] = ["Paramètre répété : une seule valeur est attendue."]
                elif "\x00" in key or "\x00" in values[0]:
                    errors[key.replace("\x00", "")] = ["Caractère nul interdit."]
                elif values[0] == "" and key not in EMPTY_ALLOWED:
                    errors[key] = ["Valeur vide : omettez le paramètre pour ne pas filtrer."]
            if errors:
                return JsonResponse(errors, status=400)
        return self.get_response(request)
