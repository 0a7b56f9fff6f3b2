from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Impact,
    Objectif,
    Organisation,
    Partenariat,
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
