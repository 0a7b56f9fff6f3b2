"""The API's JSON parser: a body nested beyond any real payload is a 400, not a RecursionError."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No payload of the API nests deeper than a few levels; 32 leaves room and stops
# the recursive code downstream (validation, lookups) long before Python's limit.
PROFONDEUR_MAX = 32
MESSAGE = f"JSON trop imbriqué : au plus {PROFONDEUR_MAX} niveaux de listes ou d'objets."


def profondeur(donnees) -> int:
    """How many lists or objects deep `donnees` goes, counted without recursion."""
    plus_profond = 0
    pile = [(donnees, 1)]
    while pile:
        valeur, niveau = pile.pop()
        if isinstance(valeur, dict):
            enfants = valeur.values()
        elif isinstance(valeur, list):
            enfants = valeur
        else:
            continue
        plus_profond = max(plus_profond, niveau)
        if plus_profond > PROFONDEUR_MAX:
            return plus_profond
        pile.extend((enfant, niveau + 1) for enfant in enfants)
    return plus_profond


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a depth limit, checked before anything walks the data."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            donnees = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(MESSAGE) from exc
        if profondeur(donnees) > PROFONDEUR_MAX:
            raise ParseError(MESSAGE)
        return donnees
