"""Admin: the ledger is append-only here too; every write calls the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from config.admin_services import (
    CorrectionAdmin,
    HistoriqueAdmin,
    LectureSeuleAdmin,
    ServiceAdmin,
    ValidationParLeService,
)
from config.saisie import MontantField
from financements import services
from financements.models import Allocation, Avenant, Convention, Engagement, Enveloppe, Tranche, Versement

# Amounts are typed here as in the portal: « 1 000,50 », and nothing Decimal() would re-read.
MONTANTS = {models.DecimalField: {"form_class": MontantField}}


@admin.register(Enveloppe)
class EnveloppeAdmin(ServiceAdmin):
    """A ceiling is changed through enveloppe_update, which refuses one below what is committed."""

    formfield_overrides = MONTANTS
    list_display = ["libelle", "code", "plafond", "montant_engage", "montant_verse"]
    readonly_fields = ["montant_engage", "montant_verse"]

    def get_readonly_fields(self, request, obj=None):
        # The code names the envelope in the ledger, the API and the exports: set once.
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields

    def write(self, request, obj, form, change):
        if change:
            data = {name: form.cleaned_data[name] for name in services.ENVELOPPE_CHAMPS_MODIFIABLES}
            services.enveloppe_update(enveloppe=obj, data=data, by=request.user)
        else:
            # A new envelope has nothing committed: saved as the history admin saves any row.
            super(ServiceAdmin, self).save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


class AllocationForm(forms.ModelForm):
    class Meta:
        model = Allocation
        fields = ["projet", "enveloppe", "montant"]


@admin.register(Allocation)
class AllocationAdmin(ServiceAdmin):
    form = AllocationForm
    formfield_overrides = MONTANTS
    list_display = ["projet", "enveloppe", "montant", "montant_engage", "montant_verse"]
    list_filter = ["enveloppe", "projet__region"]
    list_select_related = ["projet", "enveloppe"]
    search_fields = ["projet__titre"]
    readonly_fields = ["montant_engage", "montant_verse"]

    def get_readonly_fields(self, request, obj=None):
        # The project and envelope of an existing allocation never change.
        return [*self.readonly_fields, "projet", "enveloppe"] if obj else self.readonly_fields

    def write(self, request, obj, form, change):
        if change:
            services.allocation_update(allocation=obj, montant=form.cleaned_data["montant"], by=request.user)
        else:
            # A new allocation has no service: saved as the history admin saves any row.
            obj.plafonnee = obj.enveloppe.plafonne_par_projet
            super(ServiceAdmin, self).save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


class EcritureAddForm(ValidationParLeService, forms.ModelForm):
    """A reference already used is refused by the service, naming the entry that holds it."""


class EngagementAddForm(EcritureAddForm):
    class Meta:
        model = Engagement
        fields = [
            "projet", "enveloppe", "nature", "engagement_origine", "montant", "date", "reference", "motif",
            "justification_depassement",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        desengagement = cleaned.get("nature") == Engagement.Nature.DESENGAGEMENT
        if not self.errors and desengagement and not cleaned.get("engagement_origine"):
            raise ValidationError({"engagement_origine": "Indiquez l'engagement à libérer."})
        return cleaned


class LedgerAdmin(ServiceAdmin):
    """Entries are added through a service and never changed or deleted."""

    formfield_overrides = MONTANTS

    def write(self, request, obj, form, change):
        entry = self.entry_create(form.cleaned_data, by=request.user)
        # Point the admin (its message, its log entry) at the row the service wrote.
        obj.pk = entry.pk
        obj.__dict__.update(entry.__dict__)
        messages.info(request, "Écriture enregistrée au grand livre.")

    def entry_create(self, data: dict, *, by) -> Engagement | Versement:
        raise NotImplementedError

    def save_related(self, request, form, formsets, change):
        pass

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


def _commun(data: dict) -> dict:
    return {k: data[k] for k in ("montant", "date", "reference", "motif")}


@admin.register(Engagement)
class EngagementAdmin(LedgerAdmin):
    form = EngagementAddForm
    list_display = ["reference", "nature", "projet", "enveloppe", "montant", "date", "depasse_potentiel", "auteur"]
    list_filter = ["enveloppe", "nature", "depasse_potentiel", "projet__region"]
    list_select_related = ["projet", "enveloppe", "auteur"]
    search_fields = ["reference", "projet__titre", "motif"]
    date_hierarchy = "date"

    def entry_create(self, data, *, by):
        if data["nature"] == Engagement.Nature.DESENGAGEMENT:
            return services.desengagement_create(engagement=data["engagement_origine"], by=by, **_commun(data))
        return services.engagement_create(
            projet=data["projet"], enveloppe=data["enveloppe"], by=by,
            justification_depassement=data.get("justification_depassement", ""), **_commun(data),
        )  # fmt: skip


class VersementAddForm(EcritureAddForm):
    class Meta:
        model = Versement
        fields = ["engagement", "tranche", "nature", "versement_origine", "montant", "date", "reference", "motif"]
        help_texts = {
            "tranche": "Pour l'engagement d'une convention : la tranche de son échéancier que ce versement paie."
        }

    def clean(self):
        cleaned = super().clean()
        annulation = cleaned.get("nature") == Versement.Nature.ANNULATION
        if not self.errors and annulation and not cleaned.get("versement_origine"):
            raise ValidationError({"versement_origine": "Indiquez le versement à annuler."})
        return cleaned


@admin.register(Versement)
class VersementAdmin(LedgerAdmin):
    form = VersementAddForm
    list_display = ["reference", "nature", "engagement", "montant", "date", "auteur"]
    list_filter = ["nature", "engagement__enveloppe"]
    list_select_related = ["engagement", "auteur"]
    search_fields = ["reference", "engagement__reference"]
    date_hierarchy = "date"

    def entry_create(self, data, *, by):
        if data["nature"] == Versement.Nature.ANNULATION:
            return services.versement_cancel(versement=data["versement_origine"], by=by, **_commun(data))
        return services.versement_create(
            engagement=data["engagement"], tranche=data.get("tranche"), by=by, **_commun(data)
        )


class TrancheInline(admin.TabularInline):
    model = Tranche
    fields = readonly_fields = ["numero", "date_prevue", "montant", "condition", "retard_signale_le"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AvenantInline(admin.TabularInline):
    model = Avenant
    fields = readonly_fields = ["numero", "date", "reference", "variation", "montant_avant", "montant_apres", "motif"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Convention)
class ConventionAdmin(CorrectionAdmin):
    """Conventions are signed, paid and amended in the portal (their money goes through the ledger);
    here officers find them and complete their publication fields (convention_update)."""

    champs_modifiables = services.CONVENTION_CHAMPS_MODIFIABLES
    list_display = ["reference", "projet", "beneficiaire", "date_signature", "montant", "lien_portail"]
    list_filter = ["projet__region", "nature_aide", "conditions_versement"]
    list_select_related = ["projet", "beneficiaire"]
    search_fields = ["reference", "objet", "projet__titre", "beneficiaire__nom"]
    date_hierarchy = "date_signature"
    inlines = [TrancheInline, AvenantInline]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "lien_portail"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "etablissement":
            # The beneficiary's establishments only (the service refuses another's).
            objet = getattr(request, "_convention_admin", None)
            kwargs["queryset"] = db_field.related_model.objects.filter(
                organisation_id=objet.beneficiaire_id if objet else None
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        request._convention_admin = obj
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inline_instances(self, request, obj=None):
        # Read-only inlines: no formset to validate or save on the change form.
        return super().get_inline_instances(request, obj) if obj else []

    @admin.display(description="Dans le portail")
    def lien_portail(self, obj):
        return format_html('<a href="{}">Page de la convention</a>', reverse("convention_detail", args=[obj.uid]))

    def correct(self, *, obj, data, by):
        services.convention_update(convention=obj, data=data, by=by)


@admin.register(Tranche)
class TrancheAdmin(LectureSeuleAdmin, HistoriqueAdmin):
    """Planned, re-planned and paid in the portal (the convention's page); listed and read here."""

    list_display = ["convention", "numero", "date_prevue", "montant", "condition"]
    list_select_related = ["convention__beneficiaire"]
    search_fields = ["convention__reference", "convention__beneficiaire__nom", "condition"]
    date_hierarchy = "date_prevue"


@admin.register(Avenant)
class AvenantAdmin(LectureSeuleAdmin, HistoriqueAdmin):
    """Recorded in the portal with their ledger entries; listed and read here."""

    list_display = ["convention", "numero", "date", "reference", "variation", "montant_apres"]
    list_select_related = ["convention__beneficiaire"]
    search_fields = ["convention__reference", "reference", "motif"]
