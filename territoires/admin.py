from django.contrib import admin

from config.admin_services import HistoriqueAdmin

from .models import DirectionRegionale, Label, Region, Thematique, TypeTerritoire


@admin.register(Region)
class RegionAdmin(HistoriqueAdmin):
    list_display = ["code", "nom", "nature"]
    search_fields = ["code", "nom"]


@admin.register(DirectionRegionale)
class DirectionRegionaleAdmin(HistoriqueAdmin):
    list_display = ["nom"]
    filter_horizontal = ["regions"]
    search_fields = ["nom"]


@admin.register(Thematique, TypeTerritoire)
class VocabulaireAdmin(HistoriqueAdmin):
    list_display = ["libelle", "slug", "variantes"]
    search_fields = ["libelle"]
    prepopulated_fields = {"slug": ["libelle"]}


@admin.register(Label)
class LabelAdmin(HistoriqueAdmin):
    list_display = ["nom", "slug"]
    prepopulated_fields = {"slug": ["nom"]}
