import re
from functools import cache

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, parsers, permissions, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from comptes.permissions import AAUnRole, EstChargeDeProgramme, EstDeclarant
from config.api_exceptions import MEDIA_TYPE, probleme
from config.api_tools import DetailMixin, ListeMixin
from config.identifiants import SLUG
from config.lecture_rapide import accepte_json_rapide, page_rapide
from indicateurs import imports, selectors, services
from indicateurs.api.serializers import (
    DecisionSerializer,
    EvaluationSerializer,
    ImportMesuresSerializer,
    IndicateurSerializer,
    MesureCorrectionSerializer,
    MesureCreateSerializer,
    MesureSerializer,
    PageEvaluationsSerializer,
    PeriodeSerializer,
    RapportImportSerializer,
)
from indicateurs.filters import IndicateurFilterSet, MesureFilterSet, PeriodeFilterSet
from indicateurs.models import Periode
from laureats.models import Projet

UUID_RE = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


@extend_schema_view(
    list=extend_schema(summary="Liste des indicateurs 2030 et de leur dernière évaluation", tags=["Indicateurs"]),
    retrieve=extend_schema(
        summary="Un indicateur : référence, cible, échéance, dernière évaluation", tags=["Indicateurs"]
    ),
)
class IndicateurViewSet(ListeMixin, DetailMixin, viewsets.GenericViewSet):
    """Les cibles chiffrées des impacts à horizon 2030, lues dans les fiches. Lecture publique."""

    lookup_field = "code"
    # The latest evaluation (rewritten rows get new ids), and the impact and project read with it.
    etag_sources = ("evaluations__id", "impact__projet__modifie_le")
    serializer_class = IndicateurSerializer
    filterset_class = IndicateurFilterSet
    search_fields = ["libelle", "code", "impact__texte"]
    ordering_fields = ["code", "echeance"]
    ordering = ["impact__projet__ordre", "impact__ordre", "pk"]

    def get_queryset(self):
        return selectors.indicateur_list()

    @extend_schema(
        summary="Historique des évaluations d'un indicateur, la plus récente d'abord",
        tags=["Indicateurs"],
        responses=PageEvaluationsSerializer,
    )
    @action(detail=True, methods=["get"], serializer_class=EvaluationSerializer, filterset_class=None)
    def evaluations(self, request, code=None, format=None):
        return self.list_response(self.get_object().evaluations.order_by("-date"))


class RenduXlsx(renderers.BaseRenderer):
    """Lets a client ask for the template by its media type; the view writes the file itself."""

    media_type = imports.XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class RenduOctets(RenduXlsx):
    """The same bytes as a plain binary download: generated clients (openapi-python-client) read
    `application/octet-stream` as a file and know no spreadsheet media type."""

    media_type = "application/octet-stream"
    format = "bin"


OCTETS = RenduOctets.media_type


def refus_en_probleme(request, exc: imports.ImportRefuse) -> Response:
    """A refused file as problem details: each message under `errors` by its dotted path
    (`lignes.7.valeur`, `fichier` for the whole file), and the same as objects under `lignes`."""
    errors: dict[str, list[str]] = {}
    for erreur in exc.erreurs:
        chemin = "fichier" if erreur.ligne is None else f"lignes.{erreur.ligne}.{erreur.cle or erreur.colonne}"
        errors.setdefault(chemin, []).append(str(erreur))
    lignes = [
        {"ligne": e.ligne, "colonne": e.colonne or "", "message": e.message} for e in exc.erreurs if e.ligne is not None
    ]
    corps = probleme(
        request, 400, exc.resume, errors=errors, extensions={"lignes": lignes, "nb_erreurs": exc.nb_erreurs}
    )
    return Response(corps, status=400, content_type=MEDIA_TYPE)


class _MesureLue:
    """A measurement of the fast read path as MesureSerializer.get_auteur sees it."""

    __slots__ = ("_auteur_id", "_auteurs")

    def __init__(self, auteur_id, auteurs):
        self._auteur_id, self._auteurs = auteur_id, auteurs

    @property
    def auteur(self):
        return self._auteurs().get(self._auteur_id)


@extend_schema_view(
    list=extend_schema(summary="Mesures visibles selon votre rôle", tags=["Mesures"]),
    retrieve=extend_schema(summary="Une mesure", tags=["Mesures"]),
)
class MesureViewSet(ListeMixin, DetailMixin, viewsets.GenericViewSet):
    """Valeurs déclarées des indicateurs.

    Lecture : les chargé·es de programme et directeur·rices voient tout ; un
    partenaire voit toutes les mesures des projets de son organisation et les
    mesures validées des autres ; le public voit les mesures validées.
    Déclaration : un partenaire pour les projets de son organisation (403
    sinon). Validation, renvoi pour correction et rejet : chargé·es de programme.
    """

    lookup_field = "uid"
    lookup_value_regex = UUID_RE
    updated_since_field = "modifie_le"  # submission, correction and decision all write it
    serializer_class = MesureSerializer
    filterset_class = MesureFilterSet
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    ordering_fields = ["date", "soumise_le"]
    ordering = ["-soumise_le", "-pk"]
    # A page of the list is read by `.values()` and encoded by orjson (config.lecture_rapide), the
    # serializer's fields and methods still deciding what it holds; tests turn it off to compare.
    lecture_rapide = True

    def get_queryset(self):
        return selectors.mesure_list_visible_to(self.request.user)

    def page_response(self, queryset):
        if not (self.lecture_rapide and self.action == "list" and accepte_json_rapide(self.request)):
            return super().page_response(queryset)
        return page_rapide(self, queryset, substituts=self._auteurs, colonnes=["auteur_id"])

    @staticmethod
    def _auteurs(rangees: list[dict]) -> list:
        """What MesureSerializer.get_auteur reads, for each row: the author, the page's authors read
        in one query the first time one is asked for (never for the public, who sees none)."""
        auteurs = cache(lambda: selectors.auteurs_par_id(rangee["auteur_id"] for rangee in rangees))
        return [_MesureLue(rangee["auteur_id"], auteurs) for rangee in rangees]

    @extend_schema(
        summary="Déclarer une mesure",
        tags=["Mesures"],
        request=MesureCreateSerializer,
        responses={201: MesureSerializer, 400: OpenApiResponse(description="Saisie invalide"),
                   403: OpenApiResponse(description="Projet hors de votre organisation")},
    )  # fmt: skip
    def create(self, request, format=None):
        saisie = MesureCreateSerializer(data=request.data)
        saisie.is_valid(raise_exception=True)
        mesure = services.mesure_submit(by=request.user, **saisie.validated_data)
        return Response(self.get_serializer(mesure).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Valider une mesure (chargé·e de programme)", tags=["Mesures"], request=DecisionSerializer)
    @action(
        detail=True, methods=["post"], url_path="valider", url_name="valider", permission_classes=[EstChargeDeProgramme]
    )
    def validate(self, request, uid=None, format=None):
        return self._decide(request, services.mesure_validate)

    @extend_schema(summary="Rejeter une mesure, commentaire obligatoire", tags=["Mesures"], request=DecisionSerializer)
    @action(
        detail=True, methods=["post"], url_path="rejeter", url_name="rejeter", permission_classes=[EstChargeDeProgramme]
    )
    def reject(self, request, uid=None, format=None):
        return self._decide(request, services.mesure_reject)

    @extend_schema(
        summary="Corriger une mesure renvoyée pour correction (partenaire)",
        tags=["Mesures"],
        request=MesureCorrectionSerializer,
        responses={200: MesureSerializer, 400: OpenApiResponse(description="Saisie invalide, ou mesure pas à revoir"),
                   403: OpenApiResponse(description="Projet hors de votre organisation")},
    )  # fmt: skip
    @action(detail=True, methods=["post"], url_path="corriger", url_name="corriger", permission_classes=[AAUnRole])
    def correct(self, request, uid=None, format=None):
        correction = MesureCorrectionSerializer(data=request.data)
        correction.is_valid(raise_exception=True)
        mesure = services.mesure_correct(mesure=self.get_object(), by=request.user, **correction.validated_data)
        return Response(self.get_serializer(mesure).data)

    @extend_schema(
        summary="Renvoyer une mesure au partenaire pour correction, commentaire obligatoire",
        description=(
            "La mesure passe « à revoir » : le partenaire la corrige et elle revient dans la file de validation."
        ),
        tags=["Mesures"],
        request=DecisionSerializer,
        responses={
            200: MesureSerializer,
            400: OpenApiResponse(description="Commentaire manquant ou mesure déjà décidée"),
            403: OpenApiResponse(description="Réservé aux chargé·es de programme"),
        },
    )
    @action(
        detail=True, methods=["post"], url_path="renvoyer", url_name="renvoyer",
        permission_classes=[EstChargeDeProgramme],
    )  # fmt: skip
    def send_back(self, request, uid=None, format=None):
        return self._decide(request, services.mesure_return)

    @extend_schema(
        summary="Modèle de tableur des périodes à déclarer (XLSX)",
        description=(
            "Une ligne par période de déclaration attendue, en retard ou à revoir : pour un partenaire, celles des "
            "projets de son organisation ; pour un·e chargé·e de programme, tout le programme ou un projet "
            "(`projet`). Colonnes à remplir : Valeur, Source, et au besoin Date de la mesure ; le fichier rempli "
            "s'importe par `POST /api/v1/mesures/import/`."
        ),
        tags=["Mesures"],
        parameters=[
            OpenApiParameter(
                "projet", str, pattern=SLUG, required=False,
                description="Identifiant (slug) d'un projet, tel que listé par `GET /api/v1/projets/`.",
            )
        ],
        responses={
            (200, imports.XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="Le classeur XLSX."),
            (200, OCTETS): OpenApiResponse(OpenApiTypes.BINARY, description="Le classeur XLSX."),
            404: OpenApiResponse(description="Projet inconnu."),
        },
    )  # fmt: skip
    @action(
        detail=False, methods=["get"], url_path="modele", url_name="modele", permission_classes=[EstDeclarant],
        renderer_classes=[RenduXlsx, RenduOctets, renderers.JSONRenderer], filter_backends=[], pagination_class=None,
    )  # fmt: skip
    def modele(self, request, format=None):
        slug = request.query_params.get("projet")
        if slug is not None and not re.match(SLUG, slug):
            raise exceptions.ValidationError({"projet": "Identifiant de projet invalide : lettres, chiffres, tirets."})
        projet = get_object_or_404(Projet, slug=slug) if slug else None
        # The media type asked for (Accept), the spreadsheet's own unless a client asked for bare bytes.
        media = OCTETS if isinstance(request.accepted_renderer, RenduOctets) else imports.XLSX
        reponse = HttpResponse(imports.modele_xlsx(by=request.user, projet=projet), content_type=media)
        reponse["Content-Disposition"] = f'attachment; filename="{imports.nom_du_modele()}"'
        return reponse

    @extend_schema(
        summary="Importer un tableur de mesures, en entier ou pas du tout",
        description=(
            "Le modèle rempli (`GET /api/v1/mesures/modele/`), en multipart/form-data, champ `fichier`. "
            "Chaque ligne avec une valeur devient une mesure soumise de la période qu'elle nomme, ou corrige "
            "la mesure renvoyée pour correction de cette période ; une ligne sans valeur est ignorée. "
            "Si une ligne est refusée, rien n'est enregistré : la réponse 400 liste toutes les erreurs, "
            "par ligne et colonne (`errors` sous `lignes.<ligne>.<colonne>`, et `lignes`)."
        ),
        tags=["Mesures"],
        request={"multipart/form-data": ImportMesuresSerializer},
        responses={
            201: RapportImportSerializer,
            400: OpenApiResponse(description="Fichier refusé, rien n'est enregistré : erreurs par ligne et colonne."),
            403: OpenApiResponse(description="Réservé aux partenaires et aux chargé·es de programme."),
        },
    )
    @action(
        detail=False, methods=["post"], url_path="import", url_name="import", permission_classes=[EstDeclarant],
        parser_classes=[parsers.MultiPartParser], filter_backends=[], pagination_class=None,
    )  # fmt: skip
    def importer(self, request, format=None):
        saisie = ImportMesuresSerializer(data=request.data)
        saisie.is_valid(raise_exception=True)
        try:
            rapport = imports.mesures_import(fichier=saisie.validated_data["fichier"], by=request.user)
        except imports.ImportRefuse as exc:
            return refus_en_probleme(request, exc)
        corps = {
            "fichier": rapport.fichier,
            "nb_creees": len(rapport.creees),
            "nb_corrigees": len(rapport.corrigees),
            "nb_lignes_sans_valeur": rapport.lignes_sans_valeur,
            "creees": [m.uid for m in rapport.creees],
            "corrigees": [m.uid for m in rapport.corrigees],
        }
        return Response(RapportImportSerializer(corps).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, service):
        decision = DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        mesure = service(mesure=self.get_object(), by=request.user, **decision.validated_data)
        return Response(self.get_serializer(mesure).data)


@extend_schema_view(
    list=extend_schema(summary="Périodes de déclaration et leur état du jour, selon votre rôle", tags=["Périodes"]),
)
class PeriodeViewSet(ListeMixin, viewsets.GenericViewSet):
    """Les périodes de déclaration des indicateurs, avec leur état au jour de la requête.

    Un partenaire voit celles des projets de son organisation, comme dans son espace ;
    les chargé·es de programme et directeur·rices voient toutes. Réservé aux comptes du
    programme. Triées par date limite.
    """

    serializer_class = PeriodeSerializer
    filterset_class = PeriodeFilterSet
    # A period has no modification date of its own: its state changes with the day and the measurements.
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    # A period's state follows its measurements and its indicator's frequency and deadline.
    etag_sources = ("indicateur__modifie_le", "mesures__modifie_le")
    etag_comptes = ("mesures",)
    permission_classes = [AAUnRole]
    ordering_fields = ["date_limite", "debut"]
    ordering = ["date_limite", "indicateur__impact__projet__ordre", "indicateur_id", "pk"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Periode.objects.none()
        return selectors.periode_list_visible_to(self.request.user, jour=timezone.localdate()).select_related(
            "indicateur__impact__projet"
        )
