"""Error pages that always render: a missing static file or a hostile path never turns them into a 500."""

import logging

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape

from config.api_exceptions import reponse_probleme

logger = logging.getLogger(__name__)

TITRES = {
    400: "Requête invalide",
    403: "Accès refusé",
    404: "Page non trouvée",
    500: "Erreur du serveur",
}
MESSAGES_API = {
    400: "Requête invalide.",
    403: "Accès refusé.",
    404: "Aucune ressource à cette adresse.",
    500: "Erreur du serveur.",
}

# The last resort: no template, no static file, no URL to reverse; only the status and a French sentence.
SECOURS = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>{titre} — Territoires d'Innovation</title></head>
<body>
<main id="content" role="main">
<h1>{titre}</h1>
<p>Erreur {statut}</p>
<p>{message}</p>
<p><a href="/">Page d'accueil</a></p>
</main>
</body>
</html>
"""


def est_api(request) -> bool:
    return request.path.startswith("/api/")


def page_erreur(request, statut: int, message: str = "") -> HttpResponse:
    """The `<statut>.html` page (problem details under /api/); a bare French page if the template cannot render.

    Error pages run where something already went wrong: a static file absent from the
    manifest, a path holding control characters, a broken base template. Any of those
    raising here would replace a 400 or 404 with an unstyled 500 from the server.
    """
    if est_api(request):
        return reponse_probleme(request, statut, message or MESSAGES_API[statut])
    try:
        # The 500 page renders without the request: its context processors may be what failed.
        contexte_requete = request if statut != 500 else None
        contenu = render_to_string(f"{statut}.html", {"message": message}, request=contexte_requete)
    except Exception:
        logger.exception("Page d'erreur %s non rendue, page de secours servie", statut)
        contenu = SECOURS.format(titre=TITRES[statut], statut=statut, message=escape(message or TITRES[statut]))
    return HttpResponse(contenu, status=statut)


def bad_request(request, exception=None):
    return page_erreur(request, 400)


def permission_denied(request, exception=None):
    return page_erreur(request, 403)


def page_not_found(request, exception=None):
    return page_erreur(request, 404)


def server_error(request):
    return page_erreur(request, 500)
