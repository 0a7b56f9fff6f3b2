from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .comptes import jeton_revoke
from .models import (
    Impact,
    JetonAPI,
    Objectif,
    Organisation,
    Partenariat,
    Profil,
    Projet,
    ProjetThematique,
    ProjetTypeTerritoire,
)


class PartenariatInline(admin.TabularInline):
    model = Partenariat
    extra = 0
    autocomplete_fields = ["organisation"]


class ThematiqueInline(admin.TabularInline):
    model = ProjetThematique
    extra = 0


class TypeTerritoireInline(admin.TabularInline):
    model = ProjetTypeTerritoire
    extra = 0


class ObjectifInline(admin.TabularInline):
    model = Objectif
    extra = 0


class ImpactInline(admin.TabularInline):
    model = Impact
    extra = 0


@admin.register(Projet)
class ProjetAdmin(SimpleHistoryAdmin):
    list_display = ["titre", "region", "chef_de_file", "nb_partenaires_declares", "population_concernee"]
    list_filter = ["region", "thematiques", "types_territoire"]
    list_select_related = ["region", "chef_de_file"]
    search_fields = ["titre", "slug", "chef_de_file__nom"]
    autocomplete_fields = ["chef_de_file"]
    readonly_fields = ["cree_le", "modifie_le"]
    inlines = [ThematiqueInline, TypeTerritoireInline, PartenariatInline, ObjectifInline, ImpactInline]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "nature", "siren"]
    list_filter = ["nature"]
    search_fields = ["nom", "siren"]


@admin.register(Partenariat)
class PartenariatAdmin(SimpleHistoryAdmin):
    list_display = ["projet", "organisation", "role"]
    list_filter = ["role"]
    list_select_related = ["projet", "organisation"]
    autocomplete_fields = ["projet", "organisation"]


@admin.register(Objectif, Impact, ProjetThematique, ProjetTypeTerritoire)
class TexteAdmin(SimpleHistoryAdmin):
    list_display = ["projet", "ordre", "__str__"]
    list_select_related = ["projet"]
    list_filter = ["projet"]


@admin.register(Profil)
class ProfilAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "organisation"]
    list_filter = ["role", "regions"]
    list_select_related = ["user", "organisation"]
    filter_horizontal = ["regions"]
    autocomplete_fields = ["organisation"]
    search_fields = ["user__username", "organisation__nom"]


@admin.register(JetonAPI)
class JetonAPIAdmin(SimpleHistoryAdmin):
    """Tokens are created by their owner (API or creer_compte); here they are only seen and revoked."""

    list_display = ["nom", "user", "prefixe", "cree_le", "derniere_utilisation", "revoque_le"]
    list_filter = ["revoque_le"]
    list_select_related = ["user"]
    search_fields = ["nom", "user__username", "prefixe"]
    readonly_fields = ["user", "nom", "prefixe", "empreinte", "cree_le", "derniere_utilisation", "revoque_le"]
    actions = ["revoquer"]

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoquer(self, request, queryset):
        for jeton in queryset:
            jeton_revoke(jeton=jeton)

    def has_add_permission(self, request):
        return False
