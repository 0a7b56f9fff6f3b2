"""OpenAPI generation: every operation declares the error codes it can really return."""

from django_filters import ModelChoiceFilter
from drf_spectacular import openapi
from drf_spectacular.drainage import warn
from rest_framework import permissions

from config.api_tools import DecimalStrict, TexteStrict, UpdatedSinceFilter
from config.identifiants import Identifiant, IdentifiantFilter, IdentifiantTexteFilter

ERREUR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "Message en français."}},
    "required": ["detail"],
}
ERREURS_CHAMPS = {
    "type": "object",
    "description": "Messages par champ (liste de textes), ou `detail` pour une requête illisible.",
    "additionalProperties": True,
}
FREE_TEXT = ("search", "ordering")  # an empty value is accepted there
DESCRIPTIONS = {
    "400": "Requête invalide : messages en français, par champ.",
    "401": "Authentification requise, ou jeton invalide ou révoqué.",
    "403": "Ce rôle n'a pas accès à cette opération.",
    "404": "Introuvable, ou non visible pour ce rôle ; ou page inexistante.",
    "429": "Trop de requêtes pour ce rôle ; réessayer après le délai de l'en-tête Retry-After.",
}


class AutoSchema(openapi.AutoSchema):
    def map_renderers(self, attribute):
        # ?format=csv is described in the API's introduction; the schema documents JSON.
        return [media for media in super().map_renderers(attribute) if media != "text/csv"]

    def _get_format_parameters(self):
        # `?format=csv` is described in the introduction rather than as a parameter:
        # its responses (errors included) are CSV, which the schema cannot describe.
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

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._is_list_view() and self.method == "GET" and UpdatedSinceFilter in self.view.filter_backends:
            parameters = [*parameters, UpdatedSinceFilter.schema_parameter()]
        return parameters

    def _restricted(self) -> bool:
        if self.method not in permissions.SAFE_METHODS:
            return True  # officers only, or CSRF for a browser session
        return any(p is not permissions.AllowAny for p in self.view.permission_classes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "429"]
        if self.method == "GET" or "{" in self.path or self.method not in permissions.SAFE_METHODS:
            codes += ["400", "404"]
        if self._restricted():
            codes.append("403")
        for code in codes:
            schema = ERREURS_CHAMPS if code == "400" else ERREUR
            responses.setdefault(
                code,
                {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": schema}}},
            )
        return dict(sorted(responses.items()))
