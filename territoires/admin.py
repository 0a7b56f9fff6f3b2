from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DirectionRegionale, Label, Region, Thematique, TypeTerritoire


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "nom", "nature"]
    search_fields = ["code", "nom"]


@admin.register(DirectionRegionale)
class DirectionRegionaleAdmin(SimpleHistoryAdmin):
    list_display = ["nom"]
    filter_horizontal = ["regions"]
    search_fields = ["nom"]


@admin.register(Thematique, TypeTerritoire)
class VocabulaireAdmin(SimpleHistoryAdmin):
    list_display = ["libelle", "slug", "variantes"]
    search_fields = ["libelle"]
    prepopulated_fields = {"slug": ["libelle"]}


@admin.register(Label)
class LabelAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "slug"]
    prepopulated_fields = {"slug": ["nom"]}
