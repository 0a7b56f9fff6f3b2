"""The officers' and directors' home pages."""

from django.shortcuts import redirect


def accueil_directeur(request):
    """A director lands on their first region's dashboard."""
    region = request.user.profil.regions.order_by("nom").first()
    return redirect("tableau_de_bord_region", code=region.code) if region else redirect("tableau_de_bord")


def accueil_charge(request):
    return redirect("tableau_de_bord")
