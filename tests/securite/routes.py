"""Every route of the URLconf, as a template whose parameters the suite fills with real and hostile values."""

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

# A regex group: named, or not (simple_history's admin views use positional groups).
GROUPE = re.compile(r"\(\?P<(?P<nom>\w+)>")
RESTE_DE_REGEX = re.compile(r"[\\^$()\[\]?*+|{}]")


@dataclass
class Route:
    gabarit: str  # "/projets/{slug}/", the parameters in braces
    nom: str  # "projet_detail", "api:projet-list", "admin:-" for an unnamed pattern
    callback: object
    parametres: list[str] = field(default_factory=list)
    suffixe_drf: bool = False  # DRF's `<drf_format_suffix:format>` converter: ".json", not "json"

    @property
    def api(self) -> bool:
        return self.gabarit.startswith("/api/")

    @property
    def admin(self) -> bool:
        return self.gabarit.startswith("/admin/")

    def url(self, valeurs: dict[str, str]) -> str:
        url = self.gabarit
        for nom in self.parametres:
            url = url.replace("{" + nom + "}", valeurs[nom], 1)
        return url

    def __str__(self) -> str:
        return f"{self.gabarit} ({self.nom})"


def _fin_du_groupe(regex: str, debut: int) -> int:
    """Index just past the parenthesis closing the group opened at `debut`."""
    profondeur = 0
    i = debut
    while i < len(regex):
        if regex[i] == "\\":
            i += 2
            continue
        if regex[i] == "[":
            i = regex.index("]", i + 1)
        elif regex[i] == "(":
            profondeur += 1
        elif regex[i] == ")":
            profondeur -= 1
            if profondeur == 0:
                return i + 1
        i += 1
    raise ValueError(f"groupe non fermé dans {regex!r}")


def _depuis_regex(regex: str, positionnels: list[int]) -> tuple[str, list[str]]:
    """`^projets/(?P<slug>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$` → `projets/{slug}.{format}/`."""
    regex = regex.removeprefix("^").removesuffix("$")
    sortie, noms, i = [], [], 0
    while i < len(regex):
        if regex[i] == "(":
            fin = _fin_du_groupe(regex, i)
            nomme = GROUPE.match(regex, i)
            if nomme:
                nom = nomme["nom"]
            else:
                positionnels[0] += 1
                nom = f"_{positionnels[0]}"
            noms.append(nom)
            sortie.append("{" + nom + "}")
            i = fin
        elif regex.startswith("\\.", i):
            sortie.append(".")
            i += 2
        elif regex.startswith("/?", i) and i + 2 == len(regex):
            sortie.append("/")
            i += 2
        else:
            sortie.append(regex[i])
            i += 1
    texte = "".join(sortie)
    if RESTE_DE_REGEX.search(texte.replace("{", "").replace("}", "")):
        raise ValueError(f"motif que la suite ne sait pas remplir : {regex!r}")
    return texte, noms


def _morceau(motif, positionnels: list[int]) -> tuple[str, list[str], bool]:
    if isinstance(motif, RoutePattern):
        texte, noms, suffixe = str(motif), [], False
        for nom, convertisseur in motif.converters.items():
            noms.append(nom)
            suffixe = suffixe or type(convertisseur).__name__ == "FormatSuffixConverter"
        texte = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", texte)
        return texte, noms, suffixe
    if isinstance(motif, RegexPattern):
        texte, noms = _depuis_regex(motif._regex, positionnels)
        return texte, noms, False
    raise ValueError(f"type de motif inconnu : {motif!r}")


def _parcourir(motifs, prefixe: list, espaces: list[str]):
    for motif in motifs:
        if isinstance(motif, URLResolver):
            espace = [motif.namespace] if motif.namespace else []
            yield from _parcourir(motif.url_patterns, [*prefixe, motif.pattern], espaces + espace)
        elif isinstance(motif, URLPattern):
            yield [*prefixe, motif.pattern], motif, espaces


def toutes_les_routes() -> list[Route]:
    """Every pattern of the URLconf, in order, admin and API included."""
    routes = []
    for chaine, motif, espaces in _parcourir(get_resolver().url_patterns, [], []):
        positionnels = [0]
        morceaux = [_morceau(m, positionnels) for m in chaine]
        routes.append(
            Route(
                gabarit="/" + "".join(texte for texte, _, _ in morceaux),
                nom=":".join([*espaces, motif.name or "-"]),
                callback=motif.callback,
                parametres=[nom for _, noms, _ in morceaux for nom in noms],
                suffixe_drf=any(suffixe for _, _, suffixe in morceaux),
            )
        )
    return routes
