from rest_framework.routers import DefaultRouter

from comptes.api.views import JetonViewSet
from financements.api.views import (
    ConventionViewSet,
    EngagementViewSet,
    EnveloppeViewSet,
    RegionFinancementsViewSet,
    TrancheViewSet,
    VersementViewSet,
)
from indicateurs.api.views import IndicateurViewSet, MesureViewSet, PeriodeViewSet
from laureats.api.views import OrganisationViewSet
from portail.api.views import ProjetViewSet
from territoires.api.views import RegionViewSet, ThematiqueViewSet, TypeTerritoireViewSet

router = DefaultRouter()
router.register("projets", ProjetViewSet, basename="projet")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("regions", RegionViewSet, basename="region")
router.register("thematiques", ThematiqueViewSet, basename="thematique")
router.register("types-territoire", TypeTerritoireViewSet, basename="type-territoire")
router.register("jetons", JetonViewSet, basename="jeton")
router.register("enveloppes", EnveloppeViewSet, basename="enveloppe")
router.register("engagements", EngagementViewSet, basename="engagement")
router.register("versements", VersementViewSet, basename="versement")
router.register("conventions", ConventionViewSet, basename="convention")
router.register("tranches", TrancheViewSet, basename="tranche")
router.register("regions", RegionFinancementsViewSet, basename="region-financements")
router.register("indicateurs", IndicateurViewSet, basename="indicateur")
router.register("mesures", MesureViewSet, basename="mesure")
router.register("periodes", PeriodeViewSet, basename="periode")

app_name = "api"
urlpatterns = router.urls
