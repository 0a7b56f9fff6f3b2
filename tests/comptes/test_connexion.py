"""One guarded way in: the portal and admin logins share one lockout per username and address
(django-axes, in the database), login POSTs are throttled per address, the client address is read
from X-Forwarded-For only behind trusted proxies, and the admin link shows only to who can use it."""

import base64
import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from comptes.authentification import JetonAuthentication
from comptes.models import JetonAPI
from comptes.roles import GROUPE_CHARGES, SESSION_ADMINISTRATION
from comptes.services import compte_create
from tests.factories import compte

pytestmark = pytest.mark.django_db

MOT_DE_PASSE = "Mot-de-passe-solide-42"
ATTAQUANT = "198.51.100.7"
TITULAIRE = "203.0.113.20"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def marie():
    return compte_create(username="marie", role="charge", mot_de_passe=MOT_DE_PASSE)


def _echoue(client: Client, chemin: str = "/connexion/", username: str = "marie"):
    return client.post(chemin, {"username": username, "password": "faux"})


def _connecte(client: Client, chemin: str = "/connexion/"):
    return client.post(chemin, {"username": "marie", "password": MOT_DE_PASSE})


# --- One lockout, keyed on the username and the address ---------------------------------------


def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(marie):
    attaquant = Client(REMOTE_ADDR=ATTAQUANT)
    reponses = [_echoue(attaquant).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]

    titulaire = Client(REMOTE_ADDR=TITULAIRE)
    assert _connecte(titulaire).status_code == 302
    assert titulaire.session["_auth_user_id"] == str(marie.pk)
    # The attacker's own address is locked out, even with the right password.
    assert reponses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert _connecte(attaquant).status_code == 429


def test_the_admin_login_is_locked_after_ten_failures_even_with_the_right_password(marie):
    client = Client(REMOTE_ADDR=ATTAQUANT)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _echoue(client, "/admin/login/")

    response = _connecte(client, "/admin/login/")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Trop de tentatives de connexion" in page and "fr-alert" in page
    assert "Réessayez dans 15 minutes" in page
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60


def test_failures_split_between_the_portal_and_the_admin_add_up(marie):
    client = Client(REMOTE_ADDR=ATTAQUANT)
    moitie = settings.AXES_FAILURE_LIMIT // 2
    for _ in range(moitie):
        assert _echoue(client, "/connexion/").status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - moitie):
        _echoue(client, "/admin/login/")

    assert _connecte(client, "/connexion/").status_code == 429
    assert _connecte(client, "/admin/login/").status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_kept_in_the_database_not_in_the_cache(marie):
    client = Client(REMOTE_ADDR=ATTAQUANT)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _echoue(client)

    tentative = AccessAttempt.objects.get(username="marie")
    assert (tentative.ip_address, tentative.failures_since_start) == (ATTAQUANT, settings.AXES_FAILURE_LIMIT)
    cache.clear()  # every worker sees the same count, and losing the cache unlocks nothing
    assert _connecte(client).status_code == 429


def test_the_lockout_page_gives_the_time_left_and_the_lockout_ends_after_fifteen_minutes(marie):
    client = Client(REMOTE_ADDR=ATTAQUANT)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _echoue(client)

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))
    response = _connecte(client)
    assert response.status_code == 429
    assert 4 * 60 < int(response["Retry-After"]) <= 5 * 60
    assert "Réessayez dans 5 minutes" in response.content.decode()

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert _connecte(client).status_code == 302


def test_the_portal_lockout_page_is_in_french_with_the_dsfr():
    client = Client(REMOTE_ADDR=ATTAQUANT)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _echoue(client, username="personne")

    response = _echoue(client, username="personne")

    assert response.status_code == 429
    page = response.content.decode()
    assert "Connexion bloquée" in page and "fr-alert--error" in page and "fr-header" in page


@pytest.mark.parametrize("chemin", ["/connexion/", "/admin/login/"])
@pytest.mark.parametrize("username", ["a\x00b", "x" * 300, "marie' OR '1'='1", ""], ids=["nul", "long", "sql", "vide"])
def test_a_hostile_username_is_a_form_error_never_a_500(marie, chemin, username):
    client = Client(REMOTE_ADDR=ATTAQUANT)
    response = client.post(chemin, {"username": username, "password": "faux"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_no_api_view_checks_a_password():
    """The API authenticates by token or by the session a login page opened, never by a password."""

    def vues(patterns):
        for motif in patterns:
            if isinstance(motif, URLResolver):
                yield from vues(motif.url_patterns)
            elif isinstance(motif, URLPattern) and hasattr(motif.callback, "cls"):
                yield motif.callback.cls

    classes = {auth for vue in vues(get_resolver().url_patterns) for auth in vue.authentication_classes}
    assert classes == {JetonAuthentication, SessionAuthentication}
    assert not any(issubclass(auth, BasicAuthentication) for auth in classes)


def test_an_api_token_cannot_be_had_with_a_password(marie):
    basic = base64.b64encode(f"marie:{MOT_DE_PASSE}".encode()).decode()
    client = Client(HTTP_AUTHORIZATION=f"Basic {basic}")

    response = client.post("/api/v1/jetons/", {"nom": "par mot de passe"}, content_type="application/json")

    assert response.status_code in (401, 403)
    assert not JetonAPI.objects.filter(user=marie).exists()


# --- Login POSTs throttled per address -----------------------------------------------------------


@override_settings(THROTTLE_CONNEXION="3/min")
def test_login_posts_are_throttled_per_address_on_both_login_pages():
    client = Client(REMOTE_ADDR=ATTAQUANT)
    reponses = [_echoue(client, username=f"nom-{i}").status_code for i in range(3)]
    assert reponses == [200, 200, 200]

    for chemin in ("/connexion/", "/admin/login/"):
        refus = _echoue(client, chemin, username="un-autre-nom")
        assert refus.status_code == 429
        assert int(refus["Retry-After"]) > 0
        assert "Trop de tentatives de connexion depuis votre adresse" in refus.content.decode()

    # The page itself still shows; another address is not affected.
    assert client.get("/connexion/").status_code == 200
    assert _echoue(Client(REMOTE_ADDR=TITULAIRE)).status_code == 200


# --- The client address: X-Forwarded-For only from trusted proxies -------------------------------


def _rates(anonyme: str) -> dict:
    rates = dict.fromkeys(("partenaire", "directeur", "charge"), "1000/min")
    return {**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": {**rates, "anonyme": anonyme}}


def test_without_trusted_proxies_a_rotated_forwarded_for_does_not_escape_the_api_throttle():
    assert settings.TRUSTED_PROXIES == 0
    with override_settings(REST_FRAMEWORK=_rates("2/min")):
        statuts = [
            Client(REMOTE_ADDR=ATTAQUANT, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").get("/api/v1/enveloppes/").status_code
            for i in range(5)
        ]
    assert statuts == [200, 200, 429, 429, 429]


@override_settings(THROTTLE_CONNEXION="2/min")
def test_without_trusted_proxies_a_rotated_forwarded_for_escapes_neither_login_guard(marie):
    for i in range(2):
        _echoue(Client(REMOTE_ADDR=ATTAQUANT, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"))
    assert _echoue(Client(REMOTE_ADDR=ATTAQUANT, HTTP_X_FORWARDED_FOR="192.0.2.99")).status_code == 429

    with override_settings(THROTTLE_CONNEXION="1000/min"):
        for i in range(settings.AXES_FAILURE_LIMIT):
            _echoue(Client(REMOTE_ADDR=ATTAQUANT, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"))
        assert _connecte(Client(REMOTE_ADDR=ATTAQUANT, HTTP_X_FORWARDED_FOR="192.0.2.99")).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTAQUANT}


def _settings_process(trusted_proxies: str, code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "TRUSTED_PROXIES": trusted_proxies}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


def test_a_negative_number_of_trusted_proxies_is_refused_at_startup():
    resultat = _settings_process("-1", "import django; django.setup()")
    assert resultat.returncode != 0
    assert "TRUSTED_PROXIES=-1" in resultat.stderr


def _derived_settings(trusted_proxies: str) -> dict:
    """What config.settings derives from TRUSTED_PROXIES, read in a fresh interpreter."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'NUM_PROXIES': s.REST_FRAMEWORK['NUM_PROXIES'], "
        "'AXES_IPWARE_PROXY_COUNT': s.AXES_IPWARE_PROXY_COUNT, "
        "'AXES_IPWARE_PROXY_ORDER': s.AXES_IPWARE_PROXY_ORDER, "
        "'AXES_IPWARE_META_PRECEDENCE_ORDER': list(s.AXES_IPWARE_META_PRECEDENCE_ORDER), "
        "'IPWARE_STRICT': s.IPWARE_STRICT}))"
    )
    resultat = _settings_process(trusted_proxies, code)
    assert resultat.returncode == 0, resultat.stderr
    return json.loads(resultat.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def behind_one_proxy_settings():
    return _derived_settings("1")


@pytest.fixture
def behind_one_proxy(behind_one_proxy_settings):
    derived = dict(behind_one_proxy_settings)
    num_proxies = derived.pop("NUM_PROXIES")
    assert num_proxies == 1
    with override_settings(
        REST_FRAMEWORK={**api_settings.user_settings, "NUM_PROXIES": num_proxies},
        AXES_IPWARE_META_PRECEDENCE_ORDER=tuple(derived.pop("AXES_IPWARE_META_PRECEDENCE_ORDER")),
        **derived,
    ):
        yield


PROXY = "10.0.0.2"


def _par_le_mandataire(client_reel: str, ecrit_par_le_client: str = "") -> Client:
    """A request through the trusted proxy: it appends the address it saw to X-Forwarded-For."""
    chaine = f"{ecrit_par_le_client}, {client_reel}" if ecrit_par_le_client else client_reel
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chaine)


def test_behind_one_trusted_proxy_the_last_forwarded_for_entry_is_the_api_client(behind_one_proxy):
    with override_settings(REST_FRAMEWORK={**_rates("2/min"), "NUM_PROXIES": 1}):
        statuts = [
            _par_le_mandataire(ATTAQUANT, f"192.0.2.{i}").get("/api/v1/enveloppes/").status_code for i in range(4)
        ]
        autre_client = _par_le_mandataire(TITULAIRE).get("/api/v1/enveloppes/").status_code
    assert statuts == [200, 200, 429, 429]
    assert autre_client == 200


def test_behind_one_trusted_proxy_the_last_forwarded_for_entry_is_locked_out(behind_one_proxy, marie):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _echoue(_par_le_mandataire(ATTAQUANT, f"192.0.2.{i}"))

    assert _connecte(_par_le_mandataire(ATTAQUANT, "192.0.2.99")).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTAQUANT}
    # Behind the same proxy, the account's owner still logs in.
    assert _connecte(_par_le_mandataire(TITULAIRE)).status_code == 302


@pytest.mark.parametrize("trusted", [0, 1])
@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": PROXY},
        {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ATTAQUANT},
        {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{TITULAIRE}, {ATTAQUANT}"},
        {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"pas-une-adresse, 192.0.2.1, {ATTAQUANT}"},
    ],
    ids=["direct", "one-entry", "client-prepended", "garbage-prepended"],
)
def test_the_throttle_and_the_lockout_identify_the_same_client(behind_one_proxy_settings, trusted, meta):
    request = RequestFactory().get("/", **meta)
    if trusted:
        derived = dict(behind_one_proxy_settings)
        num_proxies = derived.pop("NUM_PROXIES")
        reglages = override_settings(
            REST_FRAMEWORK={**api_settings.user_settings, "NUM_PROXIES": num_proxies},
            AXES_IPWARE_META_PRECEDENCE_ORDER=tuple(derived.pop("AXES_IPWARE_META_PRECEDENCE_ORDER")),
            **derived,
        )
    else:
        reglages = override_settings()
    with reglages:
        assert get_client_ip_address(request) == BaseThrottle().get_ident(request)
        attendu = meta["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip() if trusted and len(meta) > 1 else PROXY
        assert get_client_ip_address(request) == attendu


# --- The admin link ------------------------------------------------------------------------------


def _lien_administration(client: Client) -> bool:
    return ">Administration</a>" in client.get("/").content.decode()


def test_an_officer_sees_the_admin_link_and_the_admin_shows_them_their_work():
    client = Client()
    client.force_login(compte("charge"))

    assert client.get("/admin/").context["app_list"]
    assert _lien_administration(client)
    assert client.get("/admin/laureats/projet/").status_code == 200
    assert client.get("/admin/financements/engagement/add/").status_code == 200
    assert client.get("/admin/comptes/jetonapi/").status_code == 403


def test_an_officer_the_admin_shows_nothing_sees_no_link():
    officier = compte("charge")
    officier.groups.clear()
    client = Client()
    client.force_login(officier)

    assert client.get("/admin/").context["app_list"] == []
    assert not _lien_administration(client)


def test_the_link_is_decided_at_login_so_portal_pages_load_no_permissions():
    officier = compte("charge")
    client = Client()
    client.force_login(officier)
    assert client.session[SESSION_ADMINISTRATION] is True

    officier.groups.clear()
    client.force_login(type(officier).objects.get(pk=officier.pk))  # a new login loads the user afresh
    assert not _lien_administration(client)

    # A session opened before the login noted it: decided on the first page.
    officier.groups.add(Group.objects.get(name=GROUPE_CHARGES))
    session = client.session
    del session[SESSION_ADMINISTRATION]
    session.save()
    assert _lien_administration(client)


@pytest.mark.parametrize("role", ["directeur", "partenaire"])
def test_directors_and_partners_never_see_the_admin_link(role):
    user = compte(role)
    user.groups.add(Group.objects.get(name=GROUPE_CHARGES))  # even with the officers' permissions
    client = Client()
    client.force_login(user)

    assert not _lien_administration(client)
    assert client.get("/admin/").status_code == 302


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_existing_officers_in_the_group(postgresql, programme_charge):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("comptes", "0002_messages_des_contraintes")])
    try:
        anciens = executor.loader.project_state(("comptes", "0002_messages_des_contraintes")).apps
        User = anciens.get_model("auth", "User")
        Profil = anciens.get_model("comptes", "Profil")
        officier = User.objects.create(username="ancien-officier", is_staff=True)
        Profil.objects.create(user=officier, role="charge")
        assert not anciens.get_model("auth", "Group").objects.filter(name=GROUPE_CHARGES).exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    groupe = Group.objects.get(name=GROUPE_CHARGES)
    assert groupe.user_set.filter(username="ancien-officier").exists()
    assert groupe.permissions.filter(codename="change_projet").exists()
    assert not groupe.permissions.filter(content_type__model="jetonapi").exists()
    # Conventions (migration 0004): completed in the admin, written in the portal.
    assert {"view_convention", "change_convention", "view_tranche", "view_avenant", "view_etablissement"} <= set(
        groupe.permissions.values_list("codename", flat=True)
    )
    assert not groupe.permissions.filter(
        codename__in=["add_convention", "delete_convention", "change_tranche"]
    ).exists()
