"""Admin pages that write through the services, as the portal's pages do."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from config.erreurs import Conflit, erreurs_sur_formulaire


class _Refus(Exception):
    """A service refused the write save_model asked of it."""

    def __init__(self, exc: ValidationError | Conflit):
        super().__init__(exc)
        self.exc = exc


class ServiceAdmin(SimpleHistoryAdmin):
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


class LectureSeuleAdmin(admin.ModelAdmin):
    """Rows written by the services only (here or in the portal): listed and read, never changed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
