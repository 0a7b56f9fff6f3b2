from django.urls import path

from financements import views

urlpatterns = [
    path("mon-espace/", views.espace, name="espace"),
    path("financements/", views.tableau_de_bord, name="tableau_de_bord"),
    path("financements/regions/<str:code>/", views.tableau_de_bord, name="tableau_de_bord_region"),
    path("financements/grand-livre/", views.grand_livre, name="grand_livre"),
    path("projets/<slug:slug>/engagements/nouveau/", views.engagement_create, name="engagement_create"),
    path("engagements/<uuid:uid>/desengagement/", views.desengagement_create, name="desengagement_create"),
    path("engagements/<uuid:uid>/versement/", views.versement_create, name="versement_create"),
    path("versements/<uuid:uid>/annulation/", views.versement_cancel, name="versement_cancel"),
]
