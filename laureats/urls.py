from django.urls import path, re_path

from laureats import views

urlpatterns = [
    path("projets/<slug:slug>/partenaires/", views.partenariats_edit, name="partenariats_edit"),
    re_path(
        r"^projets/(?P<slug>[-a-zA-Z0-9_]+)/(?P<genre>objectifs|impacts)/modifier/$",
        views.textes_edit,
        name="textes_edit",
    ),
]
