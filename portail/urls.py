from django.urls import path

from portail import informations, views
from portail.espace import espace
from portail.espace_partenaire import mesure_correct, periode_declare

urlpatterns = [
    path("", views.home, name="home"),
    # Where each role lands after logging in (portail/espace.py).
    path("mon-espace/", espace, name="espace"),
    # The pages every public site links from its footer (RGAA statement, legal notice, personal data).
    path("accessibilite/", informations.accessibilite, name="accessibilite"),
    path("mentions-legales/", informations.mentions_legales, name="mentions_legales"),
    path("donnees-personnelles/", informations.donnees_personnelles, name="donnees_personnelles"),
    path("mon-espace/periodes/<int:pk>/declarer/", periode_declare, name="espace_periode_declare"),
    path("mon-espace/mesures/<uuid:uid>/corriger/", mesure_correct, name="espace_mesure_correct"),
    path("projets/", views.projet_list_view, name="projet_list"),
    path("projets/<slug:slug>/", views.projet_detail, name="projet_detail"),
    path("projets/<slug:slug>/modifier/", views.projet_edit, name="projet_edit"),
    path("projets/<slug:slug>/historique/", views.projet_historique_view, name="projet_historique"),
    # Open data, SCDL « subventions » (portail/donnees_ouvertes.py).
    path("donnees-ouvertes/", views.donnees_ouvertes, name="donnees_ouvertes"),
    path("donnees-ouvertes/subventions.csv", views.subventions_csv, name="donnees_ouvertes_subventions_csv"),
    path("donnees-ouvertes/subventions.json", views.subventions_json, name="donnees_ouvertes_subventions_json"),
    path("donnees-ouvertes/iati-activities.xml", views.donnees_ouvertes_iati, name="donnees_ouvertes_iati"),
]
