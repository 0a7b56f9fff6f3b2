from django.contrib import admin

from comptes.models import JetonAPI, Profil
from comptes.services import jeton_revoke
from config.admin_services import HistoriqueAdmin


@admin.register(Profil)
class ProfilAdmin(HistoriqueAdmin):
    list_display = ["user", "role", "organisation"]
    list_filter = ["role", "regions"]
    list_select_related = ["user", "organisation"]
    filter_horizontal = ["regions"]
    autocomplete_fields = ["organisation"]
    search_fields = ["user__username", "organisation__nom"]


@admin.register(JetonAPI)
class JetonAPIAdmin(HistoriqueAdmin):
    """Tokens are created by their owner (API or creer_compte); here they are only seen and revoked."""

    list_display = ["nom", "user", "prefixe", "cree_le", "derniere_utilisation", "revoque_le"]
    list_filter = ["revoque_le"]
    list_select_related = ["user"]
    search_fields = ["nom", "user__username", "prefixe"]
    readonly_fields = ["user", "nom", "prefixe", "empreinte", "cree_le", "derniere_utilisation", "revoque_le"]
    actions = ["revoke"]

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoke(self, request, queryset):
        for jeton in queryset:
            jeton_revoke(jeton=jeton)

    def has_add_permission(self, request):
        return False
