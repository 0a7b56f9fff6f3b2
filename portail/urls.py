from django.urls import path

from portail import views

urlpatterns = [
    path("", views.home, name="home"),
    path("projets/", views.projet_list_view, name="projet_list"),
    path("projets/<slug:slug>/", views.projet_detail, name="projet_detail"),
    path("projets/<slug:slug>/modifier/", views.projet_edit, name="projet_edit"),
    path("projets/<slug:slug>/historique/", views.projet_historique_view, name="projet_historique"),
    path("donnees-ouvertes/iati-activities.xml", views.donnees_ouvertes_iati, name="donnees_ouvertes_iati"),
]
