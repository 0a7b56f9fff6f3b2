"""Admin: the ledger is append-only here too; every write calls the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from config.saisie import MontantField
from financements import services
from financements.models import Allocation, Engagement, Enveloppe, Versement

# Amounts are typed here as in the portal: « 1 000,50 », and nothing Decimal() would re-read.
MONTANTS = {models.DecimalField: {"form_class": MontantField}}


@admin.register(Enveloppe)
class EnveloppeAdmin(SimpleHistoryAdmin):
    formfield_overrides = MONTANTS
    list_display = ["libelle", "code", "plafond", "montant_engage", "montant_verse"]
    readonly_fields = ["montant_engage", "montant_verse"]

    def has_delete_permission(self, request, obj=None):
        return False


class AllocationForm(forms.ModelForm):
    class Meta:
        model = Allocation
        fields = ["projet", "enveloppe", "montant"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            # Written here so that a refusal shows as a form error (see LedgerAdmin).
            services.allocation_update(allocation=self.instance, montant=cleaned["montant"], auteur=self.user)
        return cleaned


@admin.register(Allocation)
class AllocationAdmin(SimpleHistoryAdmin):
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if not change:  # a change was written by the service in form.clean()
            obj.plafonnee = obj.enveloppe.plafonne_par_projet
            super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


class EcritureAddForm(forms.ModelForm):
    def _post_clean(self):
        # No model validation after clean(): the service has validated the entry and
        # written it, and the model's unique checks would find that very row.
        pass


class EngagementAddForm(EcritureAddForm):
    class Meta:
        model = Engagement
        fields = [
            "projet", "enveloppe", "nature", "engagement_origine", "montant", "date", "reference", "motif",
            "justification_depassement",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        common = {k: cleaned[k] for k in ("montant", "date", "reference", "motif")}
        try:
            # The admin writes through the same services as the API and the portal,
            # here in clean() so that a refusal shows as a form error.
            if cleaned["nature"] == Engagement.Nature.DESENGAGEMENT:
                if not cleaned.get("engagement_origine"):
                    raise ValidationError({"engagement_origine": "Indiquez l'engagement à libérer."})
                self.entry = services.desengagement_create(
                    engagement=cleaned["engagement_origine"], auteur=self.user, **common
                )
            else:
                self.entry = services.engagement_create(
                    projet=cleaned["projet"], enveloppe=cleaned["enveloppe"], auteur=self.user,
                    justification_depassement=cleaned.get("justification_depassement", ""), **common,
                )  # fmt: skip
        except services.PlafondDepasse as exc:
            raise ValidationError(exc.message) from exc
        return cleaned


class LedgerAdmin(SimpleHistoryAdmin):
    """Entries are added through a service and never changed or deleted."""

    formfield_overrides = MONTANTS

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        # The service already wrote the entry in form.clean(); point the admin at it.
        obj.pk = form.entry.pk
        obj.__dict__.update(form.entry.__dict__)
        messages.info(request, "Écriture enregistrée au grand livre.")

    def save_related(self, request, form, formsets, change):
        pass

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Engagement)
class EngagementAdmin(LedgerAdmin):
    form = EngagementAddForm
    list_display = ["reference", "nature", "projet", "enveloppe", "montant", "date", "depasse_potentiel", "auteur"]
    list_filter = ["enveloppe", "nature", "depasse_potentiel", "projet__region"]
    list_select_related = ["projet", "enveloppe", "auteur"]
    search_fields = ["reference", "projet__titre", "motif"]
    date_hierarchy = "date"


class VersementAddForm(EcritureAddForm):
    class Meta:
        model = Versement
        fields = ["engagement", "nature", "versement_origine", "montant", "date", "reference", "motif"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        common = {k: cleaned[k] for k in ("montant", "date", "reference", "motif")}
        try:
            if cleaned["nature"] == Versement.Nature.ANNULATION:
                if not cleaned.get("versement_origine"):
                    raise ValidationError({"versement_origine": "Indiquez le versement à annuler."})
                self.entry = services.versement_cancel(
                    versement=cleaned["versement_origine"], auteur=self.user, **common
                )
            else:
                self.entry = services.versement_create(engagement=cleaned["engagement"], auteur=self.user, **common)
        except services.PlafondDepasse as exc:
            raise ValidationError(exc.message) from exc
        return cleaned


@admin.register(Versement)
class VersementAdmin(LedgerAdmin):
    form = VersementAddForm
    list_display = ["reference", "nature", "engagement", "montant", "date", "auteur"]
    list_filter = ["nature", "engagement__enveloppe"]
    list_select_related = ["engagement", "auteur"]
    search_fields = ["reference", "engagement__reference"]
    date_hierarchy = "date"
