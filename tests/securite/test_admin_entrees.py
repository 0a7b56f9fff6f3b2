"""The admin's hostile inputs once answered by a 500: a 404, a form error or Django's invalid-filter redirect now."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client

from laureats.models import Projet
from territoires.models import TypeTerritoire

pytestmark = pytest.mark.django_db
NON_NUMERIQUES = ["abc", "NaN", "1e999", "1.5", "-", "%C3%A9"]


@pytest.fixture
def superuser() -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.create_superuser("admin-entrees", "a@example.org", "x"))
    return client


@pytest.mark.parametrize("identifiant", NON_NUMERIQUES)
def test_a_history_page_of_a_non_numeric_object_is_a_404(superuser, identifiant):
    assert superuser.get(f"/admin/laureats/projet/{identifiant}/history/").status_code == 404
    assert superuser.get(f"/admin/territoires/label/{identifiant}/history/").status_code == 404


@pytest.mark.parametrize("identifiant", NON_NUMERIQUES)
def test_a_history_version_of_a_non_numeric_object_or_version_is_a_404(superuser, identifiant):
    projet = Projet.objects.order_by("pk").first()
    version = projet.history.order_by("history_id").first().history_id
    assert superuser.get(f"/admin/laureats/projet/{identifiant}/history/{version}/").status_code == 404
    assert superuser.get(f"/admin/laureats/projet/{projet.pk}/history/{identifiant}/").status_code == 404
    assert superuser.get(f"/admin/laureats/projet/{projet.pk}/history/{version}/").status_code == 200


@pytest.mark.parametrize(
    "requete",
    ["date__year=-99999999999999999999", "date__year=99999999999999999999", "date__year=9999",
     "date__year=9999&date__month=12", "date__year=9999&date__month=12&date__day=31",
     "date__year=2024&date__month=99999999999999999999"],
)  # fmt: skip
@pytest.mark.parametrize("liste", ["financements/engagement", "financements/versement", "indicateurs/mesure"])
def test_a_date_hierarchy_drill_down_out_of_the_calendar_is_an_invalid_filter(superuser, liste, requete):
    reponse = superuser.get(f"/admin/{liste}/?{requete}")

    assert reponse.status_code == 302
    assert reponse["Location"].endswith("?e=1")


@pytest.mark.parametrize(
    "valeur", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "2020-01-01T00:00:00+16:00"]
)
@pytest.mark.parametrize("liste", ["django_celery_beat/periodictask", "axes/accessattempt", "comptes/jetonapi"])
def test_a_date_time_filter_postgresql_refuses_is_an_invalid_filter(superuser, liste, valeur):
    champ = {"django_celery_beat/periodictask": "last_run_at", "axes/accessattempt": "attempt_time"}.get(
        liste, "revoque_le"
    )
    reponse = superuser.get(f"/admin/{liste}/", {f"{champ}__gte": valeur})

    assert reponse.status_code == 302
    assert reponse["Location"].endswith("?e=1")
    assert superuser.get(f"/admin/{liste}/").status_code == 200  # the transaction was not left broken


def test_every_admin_has_the_guards_including_the_libraries_admins():
    from config.admin_services import GardeAdmin

    sans_garde = [type(a).__name__ for a in admin.site._registry.values() if not isinstance(a, GardeAdmin)]

    assert sans_garde == []


@pytest.mark.parametrize("valeur", ["NaN", "1e999", "abc", "9999-12-31"])
def test_a_non_numeric_organisation_on_the_profile_form_is_a_form_error(superuser, valeur):
    reponse = superuser.post("/admin/comptes/profil/add/", {"user": "", "role": "charge", "organisation": valeur})

    assert reponse.status_code == 200
    assert "organisation" in reponse.context["adminform"].form.errors


@pytest.mark.parametrize(
    "valeur",
    ["NaN", "-Infinity", "Infinity", "[1, NaN]", '{"a": -Infinity}', "1e999", '["\\u0000"]', '{"\\u0000": 1}',
     '["\\ud800"]', "1" * 5000, "[" * 100_000 + "]" * 100_000],
    ids=lambda v: v[:20],
)  # fmt: skip
def test_json_postgresql_cannot_store_is_a_form_error(superuser, valeur):
    type_ = TypeTerritoire.objects.order_by("pk").first()
    reponse = superuser.post(
        f"/admin/territoires/typeterritoire/{type_.pk}/change/",
        {"slug": type_.slug, "libelle": type_.libelle, "variantes": valeur, "categorie": type_.categorie},
    )

    assert reponse.status_code == 200
    assert "variantes" in reponse.context["adminform"].form.errors
    type_.refresh_from_db()
    assert isinstance(type_.variantes, list)


def test_json_postgresql_can_store_is_still_saved(superuser):
    type_ = TypeTerritoire.objects.order_by("pk").first()
    reponse = superuser.post(
        f"/admin/territoires/typeterritoire/{type_.pk}/change/",
        {"slug": type_.slug, "libelle": type_.libelle, "categorie": type_.categorie,
         "variantes": '["Métropole", "１２３", 1.5, -2, {"a": null}]'},
    )  # fmt: skip

    assert reponse.status_code == 302
    type_.refresh_from_db()
    assert type_.variantes == ["Métropole", "１２３", 1.5, -2, {"a": None}]


@pytest.mark.parametrize("valeur", ["-1", "-1e999", "*/-5"])
def test_a_crontab_expression_celery_cannot_parse_is_a_form_error(superuser, valeur):
    champs = dict.fromkeys(["minute", "hour", "day_of_month", "month_of_year", "day_of_week"], "*")
    reponse = superuser.post("/admin/django_celery_beat/crontabschedule/add/", {**champs, "minute": valeur})

    assert reponse.status_code == 200
    assert "minute" in reponse.context["adminform"].form.errors


def test_a_valid_crontab_is_still_described_in_words(superuser):
    from django_celery_beat.models import CrontabSchedule

    crontab = CrontabSchedule.objects.create(minute="5", hour="3")

    assert crontab.human_readable in superuser.get("/admin/django_celery_beat/crontabschedule/").content.decode()
    assert superuser.get(f"/admin/django_celery_beat/crontabschedule/{crontab.pk}/change/").status_code == 200
