from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView

from comptes.authentification import ConnexionAdminForm, ConnexionForm
from comptes.throttling import connexion_throttled

admin.site.site_header = "Territoires d'Innovation — administration"
admin.site.site_title = "Territoires d'Innovation"
admin.site.login_form = ConnexionAdminForm

urlpatterns = [
    path("", include("portail.urls")),
    path("", include("comptes.urls")),
    path("", include("laureats.urls")),
    path("", include("financements.urls")),
    path("indicateurs/", include("indicateurs.urls")),
    # Both login pages: throttled per address here, locked per username and address by django-axes.
    path(
        "connexion/", connexion_throttled(auth_views.LoginView.as_view(authentication_form=ConnexionForm)), name="login"
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/login/", connexion_throttled(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The portal's DSFR page around Swagger UI, started by a static file (no inline script).
    path(
        "api/docs/",
        TemplateView.as_view(template_name="api_docs.html", extra_context={"title": "Documentation de l'API"}),
        name="api_docs",
    ),
]


# Every error page renders, JSON under /api/ and a French page elsewhere, even when a
# static file is missing from the manifest or the path holds control characters.
handler400 = "config.pages_erreur.bad_request"
handler403 = "config.pages_erreur.permission_denied"
handler404 = "config.pages_erreur.page_not_found"
handler500 = "config.pages_erreur.server_error"
