"""Admin: the fiche is corrected through the same service as in the portal; what the portal edits
action by action (partners, objectives, impacts, themes) is only read here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models

from config.admin_services import CorrectionAdmin, HistoriqueAdmin, LectureSeuleAdmin, ValidationParLeService
from config.saisie import MontantField
from laureats.identifiants_legaux import siren_normalise
from laureats.services import PROJET_CHAMPS_MODIFIABLES, etablissements_hors_siren, projet_update

from .models import (
    Etablissement,
    Impact,
    Objectif,
    Organisation,
    Partenariat,
    Projet,
    ProjetThematique,
    ProjetTypeTerritoire,
)


class LectureSeuleInline(admin.TabularInline):
    """Edited in the portal, one action at a time, through its service (the fiche's page links to it)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PartenariatInline(LectureSeuleInline):
    model = Partenariat


class EtablissementInline(LectureSeuleInline):
    """Added and removed on the organisation's identifiers page, where the SIRET is checked against the SIREN."""

    model = Etablissement
    fields = ["siret", "libelle", "cree_le"]
    readonly_fields = fields


class ThematiqueInline(LectureSeuleInline):
    model = ProjetThematique


class TypeTerritoireInline(LectureSeuleInline):
    model = ProjetTypeTerritoire


class ObjectifInline(LectureSeuleInline):
    model = Objectif


class ImpactInline(LectureSeuleInline):
    model = Impact


class ProjetAdminForm(ValidationParLeService, forms.ModelForm):
    pass


@admin.register(Projet)
class ProjetAdmin(CorrectionAdmin):
    """The laureates come from the press kit (charger_laureats); identity, lead and page are only shown."""

    form = ProjetAdminForm
    champs_modifiables = PROJET_CHAMPS_MODIFIABLES
    # The budget is typed as every amount of the portal: « 53 000 000,00 ».
    formfield_overrides = {models.DecimalField: {"form_class": MontantField}}
    list_display = ["titre", "region", "chef_de_file", "nb_partenaires_declares", "population_concernee"]
    list_filter = ["region", "thematiques", "types_territoire"]
    list_select_related = ["region", "chef_de_file"]
    search_fields = ["titre", "slug", "chef_de_file__nom"]
    inlines = [ThematiqueInline, TypeTerritoireInline, PartenariatInline, ObjectifInline, ImpactInline]

    def correct(self, *, obj, data, by) -> None:
        projet_update(projet=obj, data=data, by=by)


class OrganisationAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        try:
            siren = siren_normalise(data.get("siren") or "")
        except ValidationError:
            return data  # the field's own validation says what is wrong with it
        # The same rule as the portal's identifiers page: an establishment's SIRET begins with the SIREN.
        refus = etablissements_hors_siren(self.instance, siren)
        if refus:
            self.add_error("siren", refus)
        return data


@admin.register(Organisation)
class OrganisationAdmin(HistoriqueAdmin):
    form = OrganisationAdminForm
    list_display = ["nom", "nature", "siren", "rna"]
    list_filter = ["nature"]
    search_fields = ["nom", "siren", "rna", "etablissements__siret"]
    inlines = [EtablissementInline]


@admin.register(Etablissement)
class EtablissementAdmin(LectureSeuleAdmin, HistoriqueAdmin):
    """Written by the identifiers page's services only (SIRET key and SIREN checked there); read here."""

    list_display = ["siret", "organisation", "libelle"]
    list_select_related = ["organisation"]
    search_fields = ["siret", "organisation__nom", "libelle"]


@admin.register(Partenariat)
class PartenariatAdmin(LectureSeuleAdmin, HistoriqueAdmin):
    list_display = ["projet", "organisation", "role"]
    list_filter = ["role"]
    list_select_related = ["projet", "organisation"]


@admin.register(Objectif, Impact, ProjetThematique, ProjetTypeTerritoire)
class TexteAdmin(LectureSeuleAdmin, HistoriqueAdmin):
    list_display = ["projet", "ordre", "__str__"]
    list_select_related = ["projet"]
    list_filter = ["projet"]
