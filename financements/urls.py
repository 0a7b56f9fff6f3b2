from django.urls import path

from financements import views

urlpatterns = [
    path("financements/", views.tableau_de_bord, name="tableau_de_bord"),
    path("financements/regions/<str:code>/", views.tableau_de_bord, name="tableau_de_bord_region"),
    path("financements/grand-livre/", views.grand_livre, name="grand_livre"),
    path("projets/<slug:slug>/engagements/nouveau/", views.engagement_create, name="engagement_create"),
    path("engagements/<uuid:uid>/desengagement/", views.desengagement_create, name="desengagement_create"),
    path("engagements/<uuid:uid>/versement/", views.versement_create, name="versement_create"),
    path("versements/<uuid:uid>/annulation/", views.versement_cancel, name="versement_cancel"),
    path("projets/<slug:slug>/conventions/nouvelle/", views.convention_create, name="convention_create"),
    path("conventions/<uuid:uid>/", views.convention_detail, name="convention_detail"),
    path("conventions/<uuid:uid>/modifier/", views.convention_update, name="convention_update"),
    path("conventions/<uuid:uid>/echeancier/", views.echeancier_update, name="echeancier_update"),
    path("conventions/<uuid:uid>/avenant/", views.avenant_create, name="avenant_create"),
    path("conventions/<uuid:uid>/historique/", views.convention_historique, name="convention_historique"),
    path("conventions/<uuid:uid>/tranches/<int:numero>/paiement/", views.tranche_pay, name="tranche_pay"),
]
