from rest_framework import serializers

from comptes.models import JetonAPI
from config.api_tools import TexteStrict


class JetonSerializer(serializers.ModelSerializer):
    class Meta:
        model = JetonAPI
        fields = ["nom", "prefixe", "cree_le", "derniere_utilisation", "revoque_le"]
        read_only_fields = ["prefixe", "cree_le", "derniere_utilisation", "revoque_le"]


class JetonCreeSerializer(JetonSerializer):
    jeton = serializers.CharField(read_only=True, help_text="Affiché une seule fois : il n'est pas conservé en clair.")

    class Meta(JetonSerializer.Meta):
        fields = [*JetonSerializer.Meta.fields, "jeton"]


class JetonInputSerializer(serializers.Serializer):
    nom = TexteStrict(max_length=100, help_text="Pour reconnaître le jeton (ex. « synchronisation nocturne »).")
