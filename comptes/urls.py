from django.urls import path

from comptes import views

urlpatterns = [
    path("mon-espace/jetons/", views.jeton_list, name="jetons"),
    path("mon-espace/jetons/<int:pk>/revoquer/", views.jeton_revoke_view, name="jeton_revoke"),
]
