from django.urls import path, re_path

from laureats import views

urlpatterns = [
    path("", views.home, name="home"),
    path("projets/", views.projet_list_view, name="projet_list"),
    path("projets/<slug:slug>/", views.projet_detail, name="projet_detail"),
    path("projets/<slug:slug>/modifier/", views.projet_edit, name="projet_edit"),
    path("projets/<slug:slug>/partenaires/", views.partenariats_edit, name="partenariats_edit"),
    re_path(
        r"^projets/(?P<slug>[-a-zA-Z0-9_]+)/(?P<genre>objectifs|impacts)/modifier/$",
        views.textes_edit,
        name="textes_edit",
    ),
    path("projets/<slug:slug>/historique/", views.projet_historique_view, name="projet_historique"),
]
