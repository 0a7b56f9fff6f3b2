from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comptes.affichage import auteur_pour
from comptes.models import JetonAPI
from config.api_tools import TexteStrict


class JetonSerializer(serializers.ModelSerializer):
    class Meta:
        model = JetonAPI
        fields = ["nom", "prefixe", "cree_le", "derniere_utilisation", "revoque_le"]
        read_only_fields = fields  # a response only: JetonInputSerializer reads the request


class JetonCreeSerializer(JetonSerializer):
    jeton = serializers.CharField(read_only=True, help_text="Affiché une seule fois : il n'est pas conservé en clair.")

    class Meta(JetonSerializer.Meta):
        fields = [*JetonSerializer.Meta.fields, "jeton"]
        read_only_fields = fields


class JetonInputSerializer(serializers.Serializer):
    nom = TexteStrict(max_length=100, help_text="Pour reconnaître le jeton (ex. « synchronisation nocturne »).")


AUTEUR_AIDE = (
    "Auteur de l'écriture : son identifiant pour les chargé·es de programme et pour l'auteur lui-même ; "
    "pour les autres, ses prénom et nom, ou à défaut son rôle (« Chargé·e de programme »…)."
)


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class AuteurField(serializers.Field):
    """A record's author as the requesting user may see them (comptes.affichage.auteur_pour).

    Without a request in the serializer's context the reader is unknown: no username then.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", AUTEUR_AIDE)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, auteur) -> str | None:
        request = self.context.get("request")
        return auteur_pour(auteur, getattr(request, "user", None))
