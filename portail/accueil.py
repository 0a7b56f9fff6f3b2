"""The officers' and directors' home pages: what waits for them, each figure linking to where it is dealt with."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from financements import tableaux
from financements.selectors import tranches_en_retard
from indicateurs import selectors as indicateurs
from indicateurs.models import Indicateur
from laureats.models import Projet


def accueil_charge(request):
    """The officer's home: measures to validate, values sent back, overdue reports and tranches, programme-wide.

    Six queries: session, user, profile, the measures' counts, overdue reports by project, overdue tranches.
    """
    jour = timezone.localdate()
    retards = indicateurs.retards_par_projet(jour=jour)
    context = {
        "title": "Mon espace",
        "jour": jour,
        "mesures": indicateurs.mesures_par_statut(),
        "retards": retards,
        "nb_rapports_en_retard": sum(ligne["nb_en_retard"] for ligne in retards),
        "nb_tranches_en_retard": tranches_en_retard(jour=jour).count(),
    }
    return render(request, "portail/accueil_charge.html", context)


def accueil_directeur(request):
    """The director's home on the regions they follow (`?region=` keeps one of them).

    Nine queries whatever the number of regions: session, user, profile, regions, indicators at
    risk and their latest evaluation, overdue reports by project, overdue tranches.
    """
    jour = timezone.localdate()
    regions = list(request.user.profil.regions.order_by("nom"))
    choisies = regions
    code = request.GET.get("region")
    if code:
        choisies = [r for r in regions if r.code == code]
        if not choisies:
            raise Http404("Vous ne suivez pas cette région.")
    projets = Projet.objects.filter(region__in=choisies)
    a_risque = indicateurs.indicateurs_a_risque(Indicateur.objects.filter(impact__projet__in=projets))
    retards = indicateurs.retards_par_projet(jour=jour, projets=projets)
    tranches = tranches_en_retard(jour=jour).filter(convention__projet__in=projets)
    context = {
        "title": "Mon espace",
        "jour": jour,
        "regions": regions,
        "choisies": choisies,
        "region_choisie": choisies[0] if code else None,
        "a_risque": list(a_risque),
        "retards": retards,
        "nb_rapports_en_retard": sum(ligne["nb_en_retard"] for ligne in retards),
        "tranches": tableaux.retards(tranches, jour=jour),
    }
    return render(request, "portail/accueil_directeur.html", context)
