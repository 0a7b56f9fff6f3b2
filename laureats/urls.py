from django.urls import path, re_path

from laureats import views

# A project's objectives or impacts: one page lists them, each change posts to a view of its own.
TEXTES = r"^projets/(?P<slug>[-a-zA-Z0-9_]+)/(?P<genre>objectifs|impacts)/"

urlpatterns = [
    path("projets/<slug:slug>/partenaires/", views.partenariats_edit, name="partenariats_edit"),
    path("projets/<slug:slug>/partenaires/ajouter/", views.partenariat_add, name="partenariat_add"),
    path("projets/<slug:slug>/partenaires/<int:pk>/role/", views.partenariat_update, name="partenariat_update"),
    path("projets/<slug:slug>/partenaires/<int:pk>/retirer/", views.partenariat_remove, name="partenariat_remove"),
    path("organisations/identifiants-manquants/", views.identifiants_manquants, name="identifiants_manquants"),
    path(
        "organisations/<slug:slug>/identifiants/",
        views.organisation_identifiants_edit,
        name="organisation_identifiants_edit",
    ),
    path(
        "organisations/<slug:slug>/identifiants/enregistrer/",
        views.organisation_identifiants_update,
        name="organisation_identifiants_update",
    ),
    path("organisations/<slug:slug>/etablissements/ajouter/", views.etablissement_add, name="etablissement_add"),
    path(
        "organisations/<slug:slug>/etablissements/<int:pk>/retirer/",
        views.etablissement_remove,
        name="etablissement_remove",
    ),
    re_path(TEXTES + r"modifier/$", views.textes_edit, name="textes_edit"),
    re_path(TEXTES + r"ajouter/$", views.texte_create, name="texte_create"),
    re_path(TEXTES + r"(?P<pk>[0-9]+)/modifier/$", views.texte_update, name="texte_update"),
    re_path(TEXTES + r"(?P<pk>[0-9]+)/(?P<vers>haut|bas)/$", views.texte_move, name="texte_move"),
    re_path(TEXTES + r"(?P<pk>[0-9]+)/supprimer/$", views.texte_delete, name="texte_delete"),
    re_path(TEXTES + r"encadrement/$", views.objectifs_encadrement_update, name="objectifs_encadrement_update"),
]
