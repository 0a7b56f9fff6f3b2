"""Admin: targets corrected and measurements decided through the services; evaluations are read-only."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from config.admin_services import CorrectionAdmin, HistoriqueAdmin, LectureSeuleAdmin, ValidationParLeService
from indicateurs import services
from indicateurs.forms import IndicateurForm
from indicateurs.models import (
    ChangementStatut,
    EtapeRelance,
    Evaluation,
    ImpactQualitatif,
    Indicateur,
    Mesure,
    Periode,
    RelanceEnvoyee,
    SyntheseEnvoyee,
)


class IndicateurAdminForm(ValidationParLeService, IndicateurForm):
    class Meta(IndicateurForm.Meta):
        fields = list(services.INDICATEUR_CHAMPS_MODIFIABLES)


@admin.register(Indicateur)
class IndicateurAdmin(CorrectionAdmin):
    """Targets corrected through indicateur_update, as on the indicator's page; the rest comes from the fixtures."""

    form = IndicateurAdminForm
    champs_modifiables = services.INDICATEUR_CHAMPS_MODIFIABLES
    list_display = ["code", "libelle", "unite", "sens", "mode", "valeur_reference", "valeur_cible", "echeance"]
    list_filter = ["sens", "mode", "echeance", "impact__projet__region"]
    list_select_related = ["impact"]
    search_fields = ["code", "libelle", "impact__texte", "impact__projet__titre"]

    def correct(self, *, obj, data, by) -> None:
        services.indicateur_update(indicateur=obj, data=data, by=by)


@admin.register(ImpactQualitatif)
class ImpactQualitatifAdmin(HistoriqueAdmin):
    list_display = ["impact", "raison"]
    list_select_related = ["impact"]
    raw_id_fields = ["impact"]


@admin.register(Mesure)
class MesureAdmin(LectureSeuleAdmin, HistoriqueAdmin):
    list_display = ["indicateur", "date", "periode", "valeur", "statut", "auteur", "soumise_le", "demo"]
    list_filter = ["statut", "demo", "indicateur__impact__projet__region"]
    list_select_related = ["indicateur", "auteur", "periode__indicateur"]
    search_fields = ["indicateur__code", "indicateur__libelle", "source"]
    date_hierarchy = "date"
    actions = ["validate"]

    @admin.action(description="Valider les mesures soumises sélectionnées")
    def validate(self, request, queryset):
        # Rejections need a comment each: they are made on the "Mesures à valider" page.
        validees = 0
        for mesure in queryset.filter(statut=Mesure.Statut.SOUMISE):
            try:
                services.mesure_validate(mesure=mesure, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{mesure} : {exc}", messages.ERROR)
            else:
                validees += 1
        self.message_user(request, f"{validees} mesure(s) validée(s).", messages.SUCCESS)


@admin.register(Periode)
class PeriodeAdmin(LectureSeuleAdmin):
    """Written from each indicator's frequency and deadline (its history is the indicator's)."""

    list_display = ["indicateur", "debut", "fin", "date_limite"]
    list_filter = ["date_limite", "indicateur__frequence"]
    list_select_related = ["indicateur"]
    search_fields = ["indicateur__code", "indicateur__libelle"]
    date_hierarchy = "date_limite"


@admin.register(Evaluation)
class EvaluationAdmin(LectureSeuleAdmin):
    list_display = ["indicateur", "date", "statut", "valeur_attendue", "valeur_mesuree", "avancement"]
    list_filter = ["statut", "date"]
    list_select_related = ["indicateur"]
    search_fields = ["indicateur__code"]
    date_hierarchy = "date"


@admin.register(ChangementStatut)
class ChangementStatutAdmin(LectureSeuleAdmin):
    list_display = ["indicateur", "date", "ancien_statut", "nouveau_statut"]
    list_filter = ["nouveau_statut", "date"]
    list_select_related = ["indicateur"]
    search_fields = ["indicateur__code"]


@admin.register(SyntheseEnvoyee)
class SyntheseEnvoyeeAdmin(LectureSeuleAdmin):
    list_display = ["destinataire", "date", "nb_changements", "envoyee_le"]
    list_select_related = ["destinataire"]


@admin.register(EtapeRelance)
class EtapeRelanceAdmin(HistoriqueAdmin):
    """The partners' reminder steps: their delays and whether they are sent; the next daily run follows them."""

    list_display = ["libelle", "code", "jours", "active"]
    list_editable = ["jours", "active"]
    list_display_links = ["libelle"]
    ordering = ["jours"]

    def get_readonly_fields(self, request, obj=None):
        # A step's code is what the reminders sent are logged under: it is chosen once.
        return ["code"] if obj else []

    def save_model(self, request, obj, form, change):
        obj._change_reason = "Étape de relance modifiée dans l'administration" if change else "Étape de relance ajoutée"
        super().save_model(request, obj, form, change)


@admin.register(RelanceEnvoyee)
class RelanceEnvoyeeAdmin(LectureSeuleAdmin):
    """One row per period, step and contact reminded (indicateurs/relances.py): the log that keeps each one single."""

    list_display = ["envoyee_le", "destinataire", "etape", "periode"]
    list_filter = ["etape", "envoyee_le"]
    list_select_related = ["destinataire", "etape", "periode__indicateur"]
    search_fields = ["destinataire__email", "periode__indicateur__code", "periode__indicateur__libelle"]
    date_hierarchy = "envoyee_le"
