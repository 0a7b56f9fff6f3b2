"""Admin pages that write through the services, as the portal's pages do, and answer
bad addresses with a 404 or Django's "invalid filter" redirect rather than a 500."""

import math

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import DataError, models, transaction
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from config.erreurs import Conflit, erreurs_sur_formulaire


class ChangeListGardee(ChangeList):
    """A changelist whose query string cannot reach a 500.

    Django turns a filter value its fields refuse into IncorrectLookupParameters (the
    list redirects to itself with ?e=1); two kinds of value slip past it: a
    date_hierarchy drill-down out of the calendar's range (`?date__year=-99999999999`,
    `?date__year=9999` whose next year does not exist: OverflowError, ValueError), and
    a value Django accepts but PostgreSQL refuses when the query runs (a date-time
    offset beyond ±15:59, `9999-12-31T23:59:59-23:59`: DataError). Both become
    IncorrectLookupParameters; the refused query runs in a savepoint, so the page's
    transaction stays usable.
    """

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_results(self, request):
        try:
            with transaction.atomic():
                super().get_results(request)
        except DataError as exc:
            raise IncorrectLookupParameters(exc) from exc


def _lisible(champ, valeur) -> bool:
    try:
        champ.to_python(valeur)
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


class _AutocompleteLisible:
    """Autocomplete widget mixin: a submitted value the related key cannot read ("NaN" for an
    integer key) is left out of the options shown again with the form's errors, instead of
    reaching the `__in` lookup Django builds from it (ValueError, a 500); the form field
    itself refuses it ("Sélectionnez un choix valide")."""

    def optgroups(self, name, value, attr=None):
        options = self.field.remote_field.model._meta
        cible = options.get_field(getattr(self.field.remote_field, "field_name", options.pk.attname))
        return super().optgroups(name, [v for v in value if _lisible(cible, v)], attr)


class AutocompleteSelectLisible(_AutocompleteLisible, AutocompleteSelect):
    pass


class AutocompleteSelectMultipleLisible(_AutocompleteLisible, AutocompleteSelectMultiple):
    pass


def _non_stockable(valeur) -> bool:
    """A value of decoded JSON PostgreSQL's jsonb refuses: NaN or ±Infinity (json.loads reads
    them, and reads 1e999 as infinity), a NUL character or a lone surrogate in a string."""
    if isinstance(valeur, float):
        return not math.isfinite(valeur)
    if isinstance(valeur, str):
        return "\x00" in valeur or not valeur.isascii() and _hors_utf8(valeur)
    if isinstance(valeur, dict):
        return any(_non_stockable(cle) or _non_stockable(v) for cle, v in valeur.items())
    if isinstance(valeur, list):
        return any(_non_stockable(v) for v in valeur)
    return False


def _hors_utf8(texte: str) -> bool:
    try:
        texte.encode()
    except UnicodeEncodeError:
        return True
    return False


class JSONStockableField(forms.JSONField):
    """JSON PostgreSQL can store: Django's forms.JSONField accepts what Python's json module
    reads, PostgreSQL refuses part of it when the row is written (DataError, a 500)."""

    default_error_messages = {
        "non_stockable": "JSON refusé : NaN, Infinity, nombre hors limites, caractère nul ou "
        "caractère Unicode isolé (moitié de paire).",
    }

    def to_python(self, value):
        try:
            converti = super().to_python(value)
        except (ValueError, RecursionError) as exc:  # an integer of over 4 300 digits, a too deep nesting
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value}) from exc
        if _non_stockable(converti):
            raise ValidationError(self.error_messages["non_stockable"], code="non_stockable")
        return converti

    def bound_data(self, data, initial):
        """The refused text is shown back as typed, not decoded and encoded again (which raises the same errors)."""
        try:
            lu = super().bound_data(data, initial)
        except (ValueError, RecursionError):
            return forms.fields.InvalidJSONInput(data)
        return forms.fields.InvalidJSONInput(data) if _non_stockable(lu) else lu


class GardeAdmin:
    """ModelAdmin mixin: the query string and the form's values cannot reach a 500.

    The changelist is a ChangeListGardee, the autocomplete widgets skip the values their key
    cannot read, a JSON field refuses on the form what PostgreSQL would refuse on write.
    """

    def get_changelist(self, request, **kwargs):
        return ChangeListGardee

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.JSONField):
            kwargs.setdefault("form_class", JSONStockableField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectLisible(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultipleLisible(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def garder(site: admin.AdminSite) -> None:
    """Give every admin registered on `site` that lacks it (the libraries' own: Celery beat's
    schedule, axes' login attempts, auth's users) the GardeAdmin of ours, by registering it
    again as a subclass of itself with GardeAdmin first."""
    for modele, instance in list(site._registry.items()):
        classe = type(instance)
        if issubclass(classe, GardeAdmin):
            continue
        site.unregister(modele)
        site.register(modele, type(classe.__name__, (GardeAdmin, classe), {"__module__": classe.__module__}))


class HistoriqueAdmin(GardeAdmin, SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages answer 404 to an identifier of the wrong type.

    django-simple-history looks `…/<id>/history/` and `…/<id>/history/<history_id>/` up
    without checking them: "abc" for an integer key raises ValueError (a 500). Each is
    read first by its own field (`to_python`); an identifier the field refuses names no row.
    """

    @staticmethod
    def _lire(champ, valeur) -> None:
        if not _lisible(champ, valeur):
            raise Http404("Identifiant invalide.")

    def history_view(self, request, object_id, extra_context=None):
        self._lire(self.model._meta.pk, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._lire(self.model._meta.pk, unquote(object_id))
        historique = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        self._lire(historique._meta.pk, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class _Refus(Exception):
    """A service refused the write save_model asked of it."""

    def __init__(self, exc: ValidationError | Conflit):
        super().__init__(exc)
        self.exc = exc


class ServiceAdmin(HistoriqueAdmin):
    """Writes through a service in save_model; a refusal shows on the form, as in the portal.

    Django calls save_model once the form is valid, with no way back to it: a refusal
    rolls the page's transaction back, and the page is built again from the same input
    with the refusal on the form.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refus as refus:
            request.refus_service = refus.exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refus = getattr(request, "refus_service", None)
        if refus is None:
            return form

        class FormulaireRefuse(form):
            def clean(self):
                cleaned = super().clean()
                erreurs_sur_formulaire(self, refus)
                return cleaned

        return FormulaireRefuse

    def save_model(self, request, obj, form, change):
        try:
            self.write(request, obj, form, change)
        except (ValidationError, Conflit) as exc:
            raise _Refus(exc) from exc

    def write(self, request, obj, form, change) -> None:
        raise NotImplementedError


class ValidationParLeService:
    """Admin form mixin: no model validation in the form; the service validates in save_model
    and words each refusal itself, where the model's constraints would only name themselves."""

    def _post_clean(self):
        pass


class CorrectionAdmin(ServiceAdmin):
    """Rows loaded from the fixtures: officers correct `champs_modifiables` through the model's
    update service (`correct`), the other fields are only shown, nothing is added or deleted."""

    champs_modifiables: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields if f.name not in self.champs_modifiables]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def write(self, request, obj, form, change) -> None:
        data = {name: form.cleaned_data[name] for name in self.champs_modifiables if name in form.cleaned_data}
        self.correct(obj=obj, data=data, by=request.user)

    def correct(self, *, obj, data: dict, by) -> None:
        raise NotImplementedError


class LectureSeuleAdmin(GardeAdmin, admin.ModelAdmin):
    """Rows written by the services only (here or in the portal): listed and read, never changed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
