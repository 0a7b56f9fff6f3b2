"""OpenAPI generation: every operation declares the error codes it can really return."""

from django_filters import ModelChoiceFilter
from drf_spectacular import openapi
from drf_spectacular.drainage import warn
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions

from config.api_exceptions import MEDIA_TYPE
from config.api_tools import DecimalStrict, TexteStrict, UpdatedSinceFilter
from config.identifiants import Identifiant, IdentifiantFilter, IdentifiantTexteFilter

# RFC 9457 problem details (config.api_exceptions): the one body of every error.
PROBLEME = {
    "type": "object",
    "description": "Détails d'un problème (RFC 9457), en français : le corps de toute réponse d'erreur.",
    "properties": {
        "type": {
            "type": "string",
            "format": "uri",
            "description": "Nature du problème : la spécification de son statut HTTP.",
        },
        "title": {"type": "string", "description": "Intitulé court, le même pour toutes les erreurs de ce statut."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "description": "Statut HTTP de la réponse."},
        "detail": {"type": "string", "description": "Explication de ce cas précis."},
        "instance": {"type": "string", "format": "uri-reference", "description": "Chemin de la requête refusée."},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Réponses 400 : messages par champ. Un champ imbriqué est nommé par son chemin "
            "pointé (`partenaires.0.role`) ; `non_field_errors` porte ce qui concerne la requête entière.",
        },
        "lignes": {
            "type": "array",
            "description": "Réponses 400 d'un import de tableur : les erreurs des lignes du fichier, une par cellule "
            "refusée (la ligne 1 porte les en-têtes), dans l'ordre du fichier.",
            "items": {
                "type": "object",
                "properties": {
                    "ligne": {"type": "integer", "minimum": 1, "description": "Numéro de la ligne dans la feuille."},
                    "colonne": {
                        "type": "string",
                        "description": "En-tête de la colonne (« valeur »), vide pour la ligne entière.",
                    },
                    "message": {"type": "string", "description": "L'erreur, en français."},
                },
                "required": ["ligne", "colonne", "message"],
            },
        },
        "nb_erreurs": {
            "type": "integer",
            "minimum": 1,
            "description": "Réponses 400 d'un import de tableur : nombre total d'erreurs, au-delà de celles listées.",
        },
        "reste_disponible": {
            "type": "string",
            "pattern": "^-?\\d+\\.\\d{2}$",
            "description": "Réponses 409 (plafond dépassé) : ce qui peut encore être engagé ou versé, en euros.",
        },
    },
    "required": ["type", "title", "status", "detail", "instance"],
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "Secondes à attendre avant de réessayer.",
    }
}
FREE_TEXT = ("search", "ordering")  # an empty value is accepted there
DESCRIPTIONS = {
    "400": "Requête invalide : messages en français, par champ (`errors`).",
    "401": "Authentification requise, ou jeton invalide ou révoqué.",
    "403": "Ce rôle n'a pas accès à cette opération.",
    "404": "Introuvable, ou non visible pour ce rôle ; ou page inexistante.",
    "409": "L'état enregistré refuse cette écriture.",
    "429": "Trop de requêtes pour ce rôle ; réessayer après le délai de l'en-tête Retry-After.",
    "503": "Service momentanément indisponible (base de données injoignable) ; réessayer après Retry-After.",
}


class AutoSchema(openapi.AutoSchema):
    def map_renderers(self, attribute):
        # ?format=csv is described in the API's introduction; the schema documents JSON.
        return [media for media in super().map_renderers(attribute) if media != "text/csv"]

    def _get_format_parameters(self):
        # `?format=csv` is described in the introduction rather than as a parameter:
        # its successful responses are CSV, which the schema cannot describe (errors stay JSON).
        return []

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        identifiants = self._identifiants()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("type") == "boolean":
                schema.pop("enum", None)  # "true" / "false" on the wire: a boolean, not strings
            if parameter["name"] in FREE_TEXT:
                schema["pattern"] = "^[^\\u0000]*$"  # a NUL character is refused (config.middleware)
            elif parameter["name"] in identifiants:
                # Regions, themes, projects...: the pattern and where to find the values, never the rows.
                identifiant = identifiants[parameter["name"]]
                parameter["schema"] = {"type": "string", "pattern": identifiant.motif}
                parameter["description"] = identifiant.description()
            elif schema.get("type") == "string" and "enum" not in schema:
                schema["minLength"] = 1  # an empty value is refused (config.middleware)
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, DecimalStrict) and isinstance(schema, dict):
            schema["type"] = "string"  # a JSON number would carry a float's rounding
        if isinstance(field, TexteStrict) and not field.allow_blank and isinstance(schema, dict):
            schema["pattern"] = "\\S"  # spaces alone are trimmed to an empty, refused value
        pattern = schema.get("pattern") if isinstance(schema, dict) else None
        if pattern and "\\d{0," in pattern:
            # drf-spectacular's decimal pattern admits "", "-" and "."; a number has digits.
            schema["pattern"] = pattern.replace("\\d{0,", "\\d{1,")
        return schema

    def _identifiants(self) -> dict[str, Identifiant]:
        filterset_class = getattr(self.view, "filterset_class", None)
        if filterset_class is None:
            return {}
        identifiants = {}
        for name, filter_ in filterset_class.base_filters.items():
            if isinstance(filter_, (IdentifiantFilter, IdentifiantTexteFilter)):
                identifiants[name] = filter_.identifiant
            elif isinstance(filter_, ModelChoiceFilter):
                # drf-spectacular would list the rows as an enum: the contract would change with the data.
                warn(f"{filterset_class.__name__}.{name} : filtre sur des lignes sans IdentifiantFilter.")
        return identifiants

    def _get_paginator(self):
        paginator = super()._get_paginator()
        if paginator is not None:
            # A list that syncs (updated_since) has keyset pages without a count: its `count` is nullable.
            paginator.synchro_possible = UpdatedSinceFilter in getattr(self.view, "filter_backends", [])
        return paginator

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._is_list_view() and self.method == "GET" and UpdatedSinceFilter in self.view.filter_backends:
            parameters = [*parameters, UpdatedSinceFilter.schema_parameter(), UpdatedSinceFilter.curseur_parameter()]
        return parameters

    def _restricted(self) -> bool:
        if self.method not in permissions.SAFE_METHODS:
            return True  # officers only, or CSRF for a browser session
        return any(p is not permissions.AllowAny for p in self.view.permission_classes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        # A bad token is refused everywhere; the middlewares refuse a repeated or empty parameter anywhere.
        codes = ["400", "401", "429", "503"]
        if self.method == "GET" or "{" in self.path:
            codes.append("404")  # an unknown or hidden object, a page past the last
        if self._restricted():
            codes.append("403")
        for code in codes:
            responses.setdefault(code, {"description": DESCRIPTIONS[code]})
        probleme = self._probleme_ref()
        for code, response in responses.items():
            if int(code) >= 400:
                # Declared by a view (its own description) or above: the body is always the problem details.
                response["content"] = {MEDIA_TYPE: {"schema": probleme}}
                if code in ("429", "503"):
                    response["headers"] = RETRY_AFTER
        return dict(sorted(responses.items()))

    def _probleme_ref(self) -> dict:
        component = ResolvedComponent(
            name="Probleme", type=ResolvedComponent.SCHEMA, object="Probleme", schema=PROBLEME
        )
        self.registry.register_on_missing(component)
        return component.ref


def shared_enums(result, generator, request, public):
    """A parameter whose values are a component enum's refers to that enum (drf-spectacular postprocessing hook).

    drf-spectacular writes a choice filter or a path parameter as an inline enum; a generated
    client then has one enum per operation for the same values (`V1EngagementsListEnveloppe`
    and `V1EnveloppesRetrieveCode` besides `CodeEnveloppeEnum`) and its models cannot take the
    value read from another operation. Only an exact match is shared. An inline enum that
    several operations repeat under one parameter name (the ledger's `nature`, all four
    natures on commitments and disbursements alike) becomes a component of its own,
    `<Parameter>Enum`, unless that name is taken.
    """
    composants = result.setdefault("components", {}).setdefault("schemas", {})
    parametres = [
        parameter
        for operations in result.get("paths", {}).values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
    ]

    def valeurs(schema: dict) -> tuple:
        return tuple(sorted(map(str, schema.get("enum", ()))))

    en_ligne: dict[tuple, list[str]] = {}  # values -> the name of each parameter that lists them
    for parameter in parametres:
        if valeurs(parameter.get("schema", {})):
            en_ligne.setdefault(valeurs(parameter["schema"]), []).append(parameter["name"])
    deja = {valeurs(schema) for schema in composants.values()}
    for enum, noms_parametres in en_ligne.items():
        nom = "".join(part.capitalize() for part in noms_parametres[0].split("_")) + "Enum"
        if enum not in deja and len(noms_parametres) > 1 and len(set(noms_parametres)) == 1 and nom not in composants:
            composants[nom] = {"enum": list(enum), "type": "string"}
    par_valeurs: dict[tuple, list[str]] = {}
    for nom, schema in composants.items():
        if "enum" in schema:
            par_valeurs.setdefault(valeurs(schema), []).append(nom)
    for parameter in parametres:
        noms = par_valeurs.get(valeurs(parameter.get("schema", {})))
        if noms and len(noms) == 1:
            parameter["schema"] = {"$ref": f"#/components/schemas/{noms[0]}"}
    result["components"]["schemas"] = dict(sorted(composants.items()))
    return result
