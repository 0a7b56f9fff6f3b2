from django.db.models import Case, Value, When
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from comptes.models import Profil
from comptes.permissions import EstChargeOuDirecteur, LectureParRoleEcritureCharge
from comptes.roles import role_of
from comptes.selectors import projets_ids_of
from config.api_tools import DetailMixin, ListeMixin, UpdatedSinceFilter
from financements import services
from financements.api.filters import ConventionFilterSet, TrancheFilterSet
from financements.api.selectors import convention_list, tranche_list
from financements.api.serializers import (
    AvenantInputSerializer,
    ConventionInputSerializer,
    ConventionSerializer,
    ConventionUpdateSerializer,
    EcheancierInputSerializer,
    EngagementInputSerializer,
    EngagementSerializer,
    EnveloppeSerializer,
    MouvementInputSerializer,
    RegionFinancementsSerializer,
    TrancheListeSerializer,
    TrancheVersementInputSerializer,
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
class EnveloppeViewSet(ListeMixin, DetailMixin, viewsets.GenericViewSet):
    """Plafond, alloué (somme des fiches), engagé, versé, reste à engager. Lecture publique."""

    lookup_field = "code"
    serializer_class = EnveloppeSerializer
    filter_backends = [UpdatedSinceFilter]
    etag_sources = ("allocations__modifie_le",)  # the allocated total

    def get_queryset(self):
        return enveloppe_list()


@extend_schema_view(
    list=extend_schema(summary="Grand livre des engagements", tags=["Financements"]),
    retrieve=extend_schema(summary="Un engagement ou désengagement", tags=["Financements"]),
    create=extend_schema(
        summary="Enregistrer un engagement (investissement)",
        description=(
            "Engage des fonds de l'enveloppe « investissement ». Une subvention s'engage par une convention "
            "avec son bénéficiaire (`POST /api/v1/conventions/`) ou par un avenant qui en augmente le montant "
            "(`POST /api/v1/conventions/{uid}/avenants/`) : sur l'enveloppe « subvention », cette opération "
            "répond 400, message sur `enveloppe`."
        ),
        tags=["Financements"],
        request=EngagementInputSerializer,
        responses={201: EngagementSerializer, **ERREURS_ECRITURE},
    ),
    desengagement_create=extend_schema(
        summary="Libérer une part non versée d'un engagement (désengagement)",
        description=(
            "Pour un engagement d'investissement. L'engagement d'une convention ne change que par avenant "
            "(`POST /api/v1/conventions/{uid}/avenants/`, qui ajuste aussi l'échéancier) : ici, 400 sur `engagement`."
        ),
        tags=["Financements"],
        request=MouvementInputSerializer,
        responses={
            201: EngagementSerializer,
            404: OpenApiResponse(description="Engagement inconnu."),
            **ERREURS_ECRITURE,
        },
    ),
)
class EngagementViewSet(ListeMixin, DetailMixin, viewsets.GenericViewSet):
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
        queryset = _scoped(engagement_list().select_related("convention"), self.request.user, "projet")
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
        summary="Enregistrer un versement sur un engagement (investissement)",
        description=(
            "Pour un engagement d'investissement. L'engagement d'une convention se paie tranche par tranche "
            "(`POST /api/v1/tranches/{id}/versements/`) : ici, 400 sur `tranche`."
        ),
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
class VersementViewSet(ListeMixin, DetailMixin, viewsets.GenericViewSet):
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


ERREURS_CONVENTION = {**ERREURS_ECRITURE, 404: OpenApiResponse(description="Convention inconnue.")}


def _propres_regions_d_abord(queryset, user, *, region_path: str, ordre: list[str]):
    """As the ledger: a director sees every region, with their own first."""
    codes = _own_region_codes(user)
    if not codes:
        return queryset
    return queryset.alias(
        _propre=Case(When(**{f"{region_path}__code__in": codes}, then=Value(0)), default=Value(1))
    ).order_by("_propre", *ordre)


@extend_schema_view(
    list=extend_schema(summary="Conventions de subvention et leurs échéanciers", tags=["Financements"]),
    retrieve=extend_schema(summary="Une convention, son échéancier et ses avenants", tags=["Financements"]),
    create=extend_schema(
        summary="Enregistrer une convention signée et son échéancier",
        description=(
            "Le bénéficiaire est le chef de file ou un partenaire du projet ; les tranches totalisent exactement "
            "le montant, aucune n'est prévue avant la date de la convention. La signature engage le montant dans "
            "le grand livre (enveloppe « subvention ») : au-delà de la subvention prévue du projet ou du plafond "
            "de l'enveloppe, 409 avec le reste disponible ; rien n'est écrit en cas de refus. Les erreurs d'une "
            "tranche sont nommées par leur rang : `tranches.1.montant`."
        ),
        tags=["Financements"],
        request=ConventionInputSerializer,
        responses={201: ConventionSerializer, **ERREURS_ECRITURE},
    ),
    partial_update=extend_schema(
        summary="Compléter ou corriger une convention (objet, champs publiés)",
        description=(
            "Seuls les champs envoyés changent. Le montant change par avenant, l'échéancier par "
            "`PUT …/echeancier/` : tout autre champ est refusé (400)."
        ),
        tags=["Financements"],
        request=ConventionUpdateSerializer,
        responses={
            200: ConventionSerializer,
            400: ERREURS_ECRITURE[400],
            401: ERREURS_ECRITURE[401],
            403: ERREURS_ECRITURE[403],
            404: ERREURS_CONVENTION[404],
        },
    ),
    avenant_create=extend_schema(
        summary="Enregistrer un avenant qui change le montant de la convention",
        description=(
            "Une hausse engage la variation dans le grand livre, une baisse libère la part ni versée ni déjà "
            "libérée (409 au-delà, avec ce qui peut l'être). Sans `tranches`, la hausse s'ajoute à la dernière "
            "tranche non entièrement versée et la baisse se prend sur le non-versé des dernières tranches. "
            "Renvoie la convention modifiée."
        ),
        tags=["Financements"],
        request=AvenantInputSerializer,
        responses={201: ConventionSerializer, **ERREURS_CONVENTION},
    ),
    echeancier_update=extend_schema(
        summary="Replanifier l'échéancier d'une convention (même total)",
        description=(
            "Remplace l'échéancier : une tranche nommée par son `numero` est modifiée, une tranche sans numéro "
            "est créée, une tranche omise est supprimée si rien n'y a été versé. Une tranche n'est jamais prévue "
            "pour moins que ce qui y a été versé."
        ),
        tags=["Financements"],
        request=EcheancierInputSerializer,
        responses={
            200: ConventionSerializer,
            400: ERREURS_ECRITURE[400],
            401: ERREURS_ECRITURE[401],
            403: ERREURS_ECRITURE[403],
            404: ERREURS_CONVENTION[404],
        },
    ),
)
class ConventionViewSet(ListeMixin, DetailMixin, viewsets.GenericViewSet):
    """Conventions de subvention : bénéficiaire, montant, échéancier (tranches), avenants.

    Mêmes droits que le grand livre : chargé·es et directeur·rices voient tout (les régions du
    directeur d'abord) ; un partenaire ne voit que les conventions des projets auxquels son
    organisation participe. Écriture par les chargé·es de programme.

    `updated_since` retient une convention modifiée, ou dont une tranche a été modifiée ou payée.
    `en_retard` est calculé au jour de la requête.
    """

    lookup_field = "uid"
    serializer_class = ConventionSerializer
    permission_classes = [LectureParRoleEcritureCharge]
    filterset_class = ConventionFilterSet
    search_fields = ["reference", "objet", "beneficiaire__nom", "projet__titre"]
    ordering_fields = ["date_signature", "montant", "modifie_le"]
    updated_since_fields = ["modifie_le", "tranches__modifie_le", "tranches__versements__cree_le"]
    etag_sources = ("avenants__cree_le", "beneficiaire__modifie_le")
    etag_comptes = ("tranches",)

    def get_queryset(self):
        queryset = _scoped(convention_list(), self.request.user, "projet")
        return _propres_regions_d_abord(
            queryset, self.request.user, region_path="projet__region", ordre=["-date_signature", "-id"]
        )

    def _lue(self, convention) -> dict:
        """The convention as the API shows it after a write: read again with its schedule's sums."""
        return self.get_serializer(convention_list().get(pk=convention.pk)).data

    def create(self, request, *args, **kwargs):
        entree = ConventionInputSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        convention = services.convention_create(by=request.user, **entree.validated_data)
        return Response(self._lue(convention), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        convention = self.get_object()
        entree = ConventionUpdateSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        convention = services.convention_update(convention=convention, data=entree.validated_data, by=request.user)
        return Response(self._lue(convention))

    @action(detail=True, methods=["post"], url_path="avenants", url_name="avenants")
    def avenant_create(self, request, uid=None, format=None):
        convention = self.get_object()
        entree = AvenantInputSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        services.avenant_create(convention=convention, by=request.user, **entree.validated_data)
        return Response(self._lue(convention), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["put"], url_path="echeancier", url_name="echeancier")
    def echeancier_update(self, request, uid=None, format=None):
        convention = self.get_object()
        entree = EcheancierInputSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        services.echeancier_update(convention=convention, by=request.user, **entree.validated_data)
        return Response(self._lue(convention))


@extend_schema_view(
    list=extend_schema(summary="Tranches des échéanciers : prévu, versé, reste, retard", tags=["Financements"]),
    versement_create=extend_schema(
        summary="Payer une tranche, en tout ou en partie",
        description=(
            "Un versement sur l'engagement de la convention, le plus ancien d'abord ; deux si le montant "
            "s'étend sur deux engagements (hausse par avenant), référencés `reference` puis `reference-2`. "
            "Au-delà du reste à verser de la tranche : 409 avec `reste_disponible`. Renvoie les versements créés."
        ),
        tags=["Financements"],
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Identifiant de la tranche (`id`)."
            )
        ],
        request=TrancheVersementInputSerializer,
        responses={
            201: VersementSerializer(many=True),
            **ERREURS_ECRITURE,
            404: OpenApiResponse(description="Tranche inconnue."),
        },
    ),
)
class TrancheViewSet(ListeMixin, viewsets.GenericViewSet):
    """Les tranches de toutes les conventions, par date prévue ; mêmes droits que les conventions.

    `updated_since` retient une tranche modifiée ou payée depuis ; `en_retard` est calculé au jour de la requête.
    """

    serializer_class = TrancheListeSerializer
    permission_classes = [LectureParRoleEcritureCharge]
    filterset_class = TrancheFilterSet
    lookup_value_regex = "[0-9]+"
    search_fields = ["convention__reference", "condition", "convention__beneficiaire__nom"]
    ordering_fields = ["date_prevue", "montant", "modifie_le"]
    updated_since_fields = ["modifie_le", "versements__cree_le"]
    etag_sources = ("convention__modifie_le",)  # its reference, project and beneficiary

    def get_queryset(self):
        queryset = _scoped(tranche_list(), self.request.user, "convention__projet")
        return _propres_regions_d_abord(
            queryset, self.request.user, region_path="convention__projet__region",
            ordre=["date_prevue", "convention_id", "numero"],
        )  # fmt: skip

    @action(
        detail=True, methods=["post"], url_path="versements", url_name="payer", filter_backends=[],
        pagination_class=None,
    )  # fmt: skip
    def versement_create(self, request, pk=None, format=None):
        tranche = self.get_object()
        entree = TrancheVersementInputSerializer(data=request.data)
        entree.is_valid(raise_exception=True)
        versements = services.tranche_pay(tranche=tranche, by=request.user, **entree.validated_data)
        return Response(VersementSerializer(versements, many=True).data, status=status.HTTP_201_CREATED)


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
