from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from comptes.models import Profil
from comptes.permissions import EstChargeOuDirecteur, LectureParRoleEcritureCharge
from comptes.roles import role_of
from comptes.selectors import projets_ids_of
from config.api_tools import ListeMixin, UpdatedSinceFilter
from financements import services
from financements.api.serializers import (
    EngagementInputSerializer,
    EngagementSerializer,
    EnveloppeSerializer,
    MouvementInputSerializer,
    RegionFinancementsSerializer,
    VersementInputSerializer,
    VersementSerializer,
)
from financements.filters import EngagementFilterSet, VersementFilterSet
from financements.selectors import (
    Chiffres,
    engagement_list,
    enveloppe_list,
    own_regions_first,
    tableau_financier,
    versement_list,
)
from territoires.models import Region

ERREURS_ECRITURE = {
    400: OpenApiResponse(description="Saisie invalide : messages par champ."),
    401: OpenApiResponse(description="Authentification requise."),
    403: OpenApiResponse(description="Réservé aux chargé·es de programme."),
    409: OpenApiResponse(description="Plafond dépassé ; le reste disponible est indiqué (`reste_disponible`)."),
}


def _scoped(queryset, user, projet_path: str):
    """A partner sees the entries of its organisation's projects only; others see all."""
    if role_of(user) == Profil.Role.PARTENAIRE:
        return queryset.filter(**{f"{projet_path}__in": projets_ids_of(user)})
    return queryset


def _own_region_codes(user) -> list[str]:
    if role_of(user) != Profil.Role.DIRECTEUR:
        return []
    return [region.code for region in user.profil.regions.all()]


@extend_schema_view(
    list=extend_schema(summary="Les deux enveloppes du programme et leurs chiffres", tags=["Financements"]),
    retrieve=extend_schema(summary="Une enveloppe et ses chiffres", tags=["Financements"]),
)
class EnveloppeViewSet(ListeMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Plafond, alloué (somme des fiches), engagé, versé, reste à engager. Lecture publique."""

    lookup_field = "code"
    serializer_class = EnveloppeSerializer
    filter_backends = [UpdatedSinceFilter]

    def get_queryset(self):
        return enveloppe_list()


@extend_schema_view(
    list=extend_schema(summary="Grand livre des engagements", tags=["Financements"]),
    retrieve=extend_schema(summary="Un engagement ou désengagement", tags=["Financements"]),
    create=extend_schema(
        summary="Enregistrer un engagement",
        tags=["Financements"],
        request=EngagementInputSerializer,
        responses={201: EngagementSerializer, **ERREURS_ECRITURE},
    ),
    desengagement_create=extend_schema(
        summary="Libérer une part non versée d'un engagement (désengagement)",
        tags=["Financements"],
        request=MouvementInputSerializer,
        responses={
            201: EngagementSerializer,
            404: OpenApiResponse(description="Engagement inconnu."),
            **ERREURS_ECRITURE,
        },
    ),
)
class EngagementViewSet(ListeMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Engagements et désengagements : écriture par les chargé·es de programme.

    Lecture : chargé·es et directeur·rices voient tout (les régions du directeur d'abord) ;
    un partenaire ne voit que les projets de son organisation.

    Les écritures ne sont jamais modifiées ni supprimées ; une correction est une nouvelle écriture motivée.
    """

    lookup_field = "uid"
    serializer_class = EngagementSerializer
    permission_classes = [LectureParRoleEcritureCharge]
    filterset_class = EngagementFilterSet
    search_fields = ["reference", "motif", "projet__titre"]
    ordering_fields = ["date", "montant", "cree_le"]
    updated_since_field = "cree_le"  # entries are immutable: created is last changed

    def get_queryset(self):
        queryset = _scoped(engagement_list(), self.request.user, "projet")
        return own_regions_first(
            queryset, region_codes=_own_region_codes(self.request.user), region_path="projet__region"
        )

    def create(self, request, *args, **kwargs):
        entree = EngagementInputSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        engagement = services.engagement_create(by=request.user, **entree.validated_data)
        return Response(self.get_serializer(engagement).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="desengagements", url_name="desengager")
    def desengagement_create(self, request, uid=None, format=None):
        engagement = self.get_object()
        entree = MouvementInputSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        desengagement = services.desengagement_create(engagement=engagement, by=request.user, **entree.validated_data)
        return Response(self.get_serializer(desengagement).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Grand livre des versements", tags=["Financements"]),
    retrieve=extend_schema(summary="Un versement ou une annulation", tags=["Financements"]),
    create=extend_schema(
        summary="Enregistrer un versement sur un engagement",
        tags=["Financements"],
        request=VersementInputSerializer,
        responses={201: VersementSerializer, **ERREURS_ECRITURE},
    ),
    annulation_create=extend_schema(
        summary="Annuler tout ou partie d'un versement",
        tags=["Financements"],
        request=MouvementInputSerializer,
        responses={
            201: VersementSerializer,
            404: OpenApiResponse(description="Versement inconnu."),
            **ERREURS_ECRITURE,
        },
    ),
)
class VersementViewSet(ListeMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Versements et annulations de versements ; mêmes droits que les engagements."""

    lookup_field = "uid"
    serializer_class = VersementSerializer
    permission_classes = [LectureParRoleEcritureCharge]
    filterset_class = VersementFilterSet
    search_fields = ["reference", "motif", "engagement__reference"]
    ordering_fields = ["date", "montant", "cree_le"]
    updated_since_field = "cree_le"

    def get_queryset(self):
        queryset = _scoped(versement_list(), self.request.user, "engagement__projet")
        return own_regions_first(
            queryset, region_codes=_own_region_codes(self.request.user), region_path="engagement__projet__region"
        )

    def create(self, request, *args, **kwargs):
        entree = VersementInputSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        versement = services.versement_create(by=request.user, **entree.validated_data)
        return Response(self.get_serializer(versement).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="annulations", url_name="annuler")
    def annulation_create(self, request, uid=None, format=None):
        versement = self.get_object()
        entree = MouvementInputSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        annulation = services.versement_cancel(versement=versement, by=request.user, **entree.validated_data)
        return Response(self.get_serializer(annulation).data, status=status.HTTP_201_CREATED)


def _en_texte(chiffres: Chiffres, code: str) -> dict:
    """Figures as RegionFinancementsSerializer declares them: decimal strings, two places, code last."""
    return {
        **{cle: None if valeur is None else f"{valeur:.2f}" for cle, valeur in chiffres.as_dict().items()},
        "code": code,
    }


def region_financements_data(region: Region) -> dict:
    """The region's figures, already in the shape and formats of RegionFinancementsSerializer.

    Written directly rather than through the serializer (which documents the schema):
    a region of 500 projects has 7 000 figures, and a serializer field per figure
    cost three times the queries.
    """
    tableau = tableau_financier(region_code=region.code)
    return {
        "region": {"code": region.code, "nom": region.nom},
        "enveloppes": [_en_texte(chiffres, code) for code, chiffres in tableau.par_enveloppe.items()],
        "projets": [
            {
                "slug": ligne.slug,
                "titre": ligne.titre,
                "enveloppes": [_en_texte(c, code) for code, c in ligne.par_enveloppe.items()],
            }
            for ligne in tableau.projets
        ],
        "annees": [{**a, "engage": f"{a['engage']:.2f}", "verse": f"{a['verse']:.2f}"} for a in tableau.par_annee],
    }


class RegionFinancementsViewSet(viewsets.GenericViewSet):
    """Chiffres financiers d'une région : par enveloppe, par projet, par année."""

    lookup_field = "code"
    permission_classes = [EstChargeOuDirecteur]
    serializer_class = RegionFinancementsSerializer
    queryset = Region.objects.all()
    filter_backends: list = []

    @extend_schema(
        summary="Financements d'une région",
        tags=["Financements"],
        responses={
            200: RegionFinancementsSerializer,
            401: OpenApiResponse(description="Authentification requise."),
            403: OpenApiResponse(description="Réservé aux chargé·es et directeur·rices."),
            404: OpenApiResponse(description="Région inconnue."),
        },
    )
    @action(detail=True, methods=["get"])
    def financements(self, request, code=None, format=None):
        region = get_object_or_404(Region, code=code)
        return Response(region_financements_data(region))
