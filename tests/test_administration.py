"""Every model of the programme is in the admin, with its change history."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from simple_history.admin import SimpleHistoryAdmin

APPS = ["territoires", "comptes", "laureats", "financements", "indicateurs"]
MODELS = [
    m for label in APPS for m in apps.get_app_config(label).get_models() if not m.__name__.startswith("Historical")
]
# Rows the evaluation job computes and never edits: they are a history themselves
# (one evaluation per indicator and date, one row per status change, one per digest),
# or derive from rows that have one (an indicator's reporting periods, from its frequency and deadline;
# the reminders sent, one row each, written once by the daily reminder and never changed).
COMPUTED_HISTORY = {"Evaluation", "ChangementStatut", "SyntheseEnvoyee", "Periode", "RelanceEnvoyee"}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_is_in_the_admin_with_its_history(model):
    assert model in admin.site._registry, f"{model.__name__} n'est pas dans l'administration"
    if model.__name__ in COMPUTED_HISTORY:
        return
    assert isinstance(admin.site._registry[model], SimpleHistoryAdmin)
    assert hasattr(model, "history"), f"{model.__name__} n'a pas d'historique"


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_admin_list_page_answers(admin_client: Client, model):
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert admin_client.get(url).status_code == 200
