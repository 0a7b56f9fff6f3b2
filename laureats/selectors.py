from django.db.models import Count, QuerySet

from config.recherche import contient
from laureats.models import Organisation, Projet


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.annotate(nb_projets=Count("partenariats__projet", distinct=True))


def projet_search(projets: QuerySet[Projet], texte: str) -> QuerySet[Projet]:
    """Every word in the title, the lead's name or the ambition, accents aside, as the API's `search` does."""
    for mot in texte.replace(",", " ").split():
        trouve = contient("titre", mot) | contient("chef_de_file__nom", mot) | contient("ambition", mot)
        projets = projets.filter(trouve)
    return projets
