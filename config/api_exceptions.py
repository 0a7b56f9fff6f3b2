"""Every API error is one body: RFC 9457 problem details, in French, with the field messages of a 400.

    {"type": "https://www.rfc-editor.org/rfc/rfc9110#status.400", "title": "Requête invalide",
     "status": 400, "detail": "…", "instance": "/api/v1/engagements/",
     "errors": {"montant": ["…"], "partenaires.0.role": ["…"]}}

DRF's errors (exception_handler), the middlewares' (config.middleware, config.pannes)
and Django's error pages under /api/ (config.pages_erreur) all build it here.
"""

import math

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, renderers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from config.erreurs import Conflit

MEDIA_TYPE = "application/problem+json"
NON_FIELD_ERRORS = "non_field_errors"

# `type`: the specification that defines the status, stable and readable; a problem
# carries no semantics beyond its status (the 409's extension members are declared in the schema).
TYPES = {
    429: "https://www.rfc-editor.org/rfc/rfc6585#section-4",
}
TITRES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non autorisée",
    406: "Format de réponse non disponible",
    409: "Conflit avec l'état enregistré",
    415: "Type de contenu non pris en charge",
    429: "Trop de requêtes",
    500: "Erreur du serveur",
    503: "Service indisponible",
}
DETAIL_CHAMPS = "Certaines valeurs sont refusées : voir les messages par champ (errors)."


def type_probleme(statut: int) -> str:
    return TYPES.get(statut, f"https://www.rfc-editor.org/rfc/rfc9110#status.{statut}")


def probleme(
    request, statut: int, detail: str, *, errors: dict[str, list[str]] | None = None, extensions: dict | None = None
) -> dict:
    """The problem details body; `errors` maps a field path (`partenaires.0.role`) to its French messages."""
    corps = {
        "type": type_probleme(statut),
        "title": TITRES.get(statut, "Erreur"),
        "status": statut,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        corps["errors"] = errors
    return {**(extensions or {}), **corps}


def reponse_probleme(request, statut: int, detail: str, **kwargs) -> JsonResponse:
    """A problem outside DRF (a middleware, an error page): the same body and media type."""
    return JsonResponse(
        probleme(request, statut, detail, **kwargs),
        status=statut,
        content_type=MEDIA_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def messages_par_champ(detail, chemin: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """DRF's nested error detail, flattened: {"partenaires": [{}, {"role": [...]}]} → {"partenaires.1.role": [...]}."""
    if isinstance(detail, dict):
        elements = detail.items()
    elif isinstance(detail, list) and any(isinstance(element, (dict, list)) for element in detail):
        elements = enumerate(detail)
    else:
        messages = detail if isinstance(detail, list) else [detail]
        return {".".join(chemin) or NON_FIELD_ERRORS: [str(message) for message in messages]}
    resultat: dict[str, list[str]] = {}
    for cle, valeur in elements:
        cle = NON_FIELD_ERRORS if cle in ("__all__", api_settings.NON_FIELD_ERRORS_KEY) else str(cle)
        for champ, messages in messages_par_champ(valeur, (*chemin, cle)).items():
            resultat.setdefault(champ, []).extend(messages)
    return resultat


def _en_drf(exc):
    """Django's exceptions as DRF's: a service's ValidationError keeps its field names."""
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(*exc.args)  # the view's French reason, when it gives one
    if not isinstance(exc, DjangoValidationError):
        return exc
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({NON_FIELD_ERRORS: exc.messages})


def _detail(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.Throttled):
        attente = max(1, math.ceil(exc.wait or 1))
        return f"Trop de requêtes pour ce rôle : réessayez dans {attente} seconde{'s' if attente > 1 else ''}."
    if isinstance(exc.detail, dict | list):
        return " ".join(message for messages in messages_par_champ(exc.detail).values() for message in messages)
    return str(exc.detail)


def exception_handler(exc, context):
    """Every DRF error as problem details; a service's ValidationError is a 400, its Conflit a 409, never a 500."""
    request = context["request"]
    if isinstance(exc, Conflit):
        set_rollback()
        response = Response(
            probleme(request, 409, exc.message, extensions=exc.details), status=409, content_type=MEDIA_TYPE
        )
    else:
        exc = _en_drf(exc)
        response = drf_exception_handler(exc, context)  # headers: WWW-Authenticate, Retry-After; rollback
        if response is None:
            return None  # not an API error: Django's 500
        if isinstance(exc, exceptions.ValidationError):
            corps = probleme(request, response.status_code, DETAIL_CHAMPS, errors=messages_par_champ(exc.detail))
        else:
            corps = probleme(request, response.status_code, _detail(exc))
        response.data = corps
        response.content_type = MEDIA_TYPE
    # An error is JSON whatever format was asked for (`?format=csv` included): a client reads it the same way.
    request.accepted_renderer = renderers.JSONRenderer()
    request.accepted_media_type = MEDIA_TYPE
    return response
