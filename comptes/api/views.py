from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from comptes.api.serializers import JetonCreeSerializer, JetonInputSerializer, JetonSerializer
from comptes.models import JetonAPI
from comptes.permissions import AAUnRole
from comptes.services import jeton_create, jeton_revoke
from config.api_tools import ListeMixin, UpdatedSinceFilter


@extend_schema_view(
    list=extend_schema(summary="Mes jetons d'API", tags=["Jetons"]),
    create=extend_schema(
        summary="Créer un jeton nommé",
        tags=["Jetons"],
        request=JetonInputSerializer,
        responses={201: JetonCreeSerializer, 400: OpenApiResponse(description="Nom déjà utilisé ou invalide.")},
    ),
    destroy=extend_schema(summary="Révoquer un jeton", tags=["Jetons"], responses={204: None}),
)
class JetonViewSet(ListeMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Les jetons de l'utilisateur connecté : plusieurs par personne, nommés, révocables, stockés hachés."""

    lookup_field = "prefixe"
    serializer_class = JetonSerializer
    permission_classes = [AAUnRole]
    filter_backends = [UpdatedSinceFilter]
    updated_since_field = "cree_le"
    etag_sources = ("derniere_utilisation", "revoque_le")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return JetonAPI.objects.none()
        return JetonAPI.objects.filter(user=self.request.user).order_by("-cree_le")

    def create(self, request, *args, **kwargs):
        entree = JetonInputSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        jeton, clair = jeton_create(user=request.user, nom=entree.validated_data["nom"])
        jeton.jeton = clair
        return Response(JetonCreeSerializer(jeton).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        jeton_revoke(jeton=instance)
