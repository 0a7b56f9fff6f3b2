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


class LectureSeuleAdmin(admin.ModelAdmin):
    """Rows written by the services only (here or in the portal): listed and read, never changed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
