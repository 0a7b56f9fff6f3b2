"""The pages every public site links from its footer: the accessibility statement (RGAA),
the legal notice and what the portal does with personal data. Their facts come from the
settings (contacts, host) and from the configuration they describe (lockout, sessions)."""

import datetime

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

# The day the statement was drawn up; a new statement (a new audit, a fixed non-conformity) changes it.
DATE_DECLARATION = datetime.date(2026, 12, 1)
# The version the statement refers to, and the audit tool pinned in package.json.
RGAA_VERSION = "4.1.2"
AXE_VERSION = "4.14.1"


@require_safe
def accessibilite(request):
    return render(
        request,
        "portail/accessibilite.html",
        {
            "title": "Déclaration d'accessibilité",
            "contact": settings.ACCESSIBILITE_CONTACT,
            "date_declaration": DATE_DECLARATION,
            "rgaa_version": RGAA_VERSION,
            "axe_version": AXE_VERSION,
        },
    )


@require_safe
def mentions_legales(request):
    return render(
        request,
        "portail/mentions_legales.html",
        {
            "title": "Mentions légales",
            "hebergeur": {
                "nom": settings.HEBERGEUR_NOM,
                "adresse": settings.HEBERGEUR_ADRESSE,
                "contact": settings.HEBERGEUR_CONTACT,
            },
            "contact": settings.DONNEES_PERSONNELLES_CONTACT,
        },
    )


@require_safe
def donnees_personnelles(request):
    return render(
        request,
        "portail/donnees_personnelles.html",
        {
            "title": "Données personnelles",
            "contact": settings.DONNEES_PERSONNELLES_CONTACT,
            "echecs_avant_verrou": settings.AXES_FAILURE_LIMIT,
            "minutes_verrou": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "jours_session": settings.SESSION_COOKIE_AGE // 86400,
        },
    )
