from config.api_exceptions import DETAIL_CHAMPS, reponse_probleme
from config.pages_erreur import page_erreur

# Free-text parameters where an empty value simply means "none".
EMPTY_ALLOWED = {"search", "ordering"}
NUL = "\x00"


def _to_field_vide(request) -> bool:
    if request.GET.get("_to_field", None) == "":
        return True
    formulaire = request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
    return request.method == "POST" and formulaire and request.POST.get("_to_field", None) == ""


class ApiQueryParametersMiddleware:
    """Refuse the addresses the views would misread or the database cannot store.

    Everywhere, a NUL character in the path or in a query parameter (PostgreSQL
    cannot store it, so any lookup with it fails) is a 400: a French page, or JSON
    under /api/. Under /api/v1/, a parameter given twice or given empty is also a
    400 naming the parameter, not a guess; in the admin, an empty `_to_field` too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path:
            return page_erreur(request, 400, "Caractère nul interdit dans l'adresse.")
        if request.path.startswith("/admin/") and _to_field_vide(request):
            # Django's admin reads an empty `_to_field` as a field named "" (FieldDoesNotExist, a 500).
            return page_erreur(request, 400, "Paramètre _to_field vide : omettez-le.")
        errors = {}
        for key, values in request.GET.lists():
            if any(NUL in value for value in (key, *values)):
                errors[key.replace(NUL, "")] = ["Caractère nul interdit."]
            elif not request.path.startswith("/api/v1/"):
                continue
            elif len(values) > 1:
                errors[key] = ["Paramètre répété : une seule valeur est attendue."]
            elif values[0] == "" and key not in EMPTY_ALLOWED:
                errors[key] = ["Valeur vide : omettez le paramètre pour ne pas filtrer."]
        if errors:
            if request.path.startswith("/api/"):
                return reponse_probleme(request, 400, DETAIL_CHAMPS, errors=errors)
            noms = ", ".join(sorted(errors))
            return page_erreur(request, 400, f"Caractère nul interdit dans le paramètre : {noms}.")
        return self.get_response(request)
