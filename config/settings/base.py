"""Settings shared by every environment; everything comes from the environment."""

import datetime
import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from stdnum.fr import siret as stdnum_siret

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean; a typo such as DEBUG=ture is an error, not False."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r} n'est pas un booléen (true/false).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} n'est pas un entier.") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # the unaccent lookup of config/recherche.py
    "django.forms",
    "dsfr",
    "widget_tweaks",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "territoires",
    "comptes",
    "laureats",
    "financements",
    "indicateurs",
    "portail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Response headers only: before the outage middleware so that its 503 page carries them too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.pannes.DatabaseOutageMiddleware",  # before anything that reads the session or the user
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.ApiQueryParametersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Content-Security-Policy (django-csp)
# Every page, the admin and the API docs included, loads only the portal's own files
# (everything is served locally): no 'unsafe-inline' and no 'unsafe-eval' for scripts
# (DSFR Chart's Vue templates are precompiled, Swagger UI needs no eval), no inline style
# either. No page has an inline script today; one that needs it writes
# <script nonce="{{ request.csp_nonce }}">, and django-csp then adds that request's nonce
# to the header. Checked by tests/pages/test_csp.py and the browser walks.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # the DSFR's and Swagger UI's sheets draw icons as data: SVG
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Local state of the embedded default (SQLite file, filesystem broker queues).
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)


# The embedded default is SQLite so that a fresh clone starts with no server;
# DATABASE_URL switches the same code to PostgreSQL.
def database_config(url: str, **options) -> dict:
    """The database of `url`; on PostgreSQL, connecting is bounded (DATABASE_CONNECT_TIMEOUT seconds).

    A host that drops packets, or accepts and stays silent, would otherwise hold each
    request until gunicorn's timeout; with a bound, config.pannes answers 503 within seconds.
    """
    config = dj_database_url.parse(url, **options)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)
    return config


DATABASES = {
    "default": database_config(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "espace"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# The Prime Minister named the 24 laureates on 13 September 2019: no ledger entry predates it.
PROGRAMME_DATE_DESIGNATION = datetime.date(2019, 9, 13)
# The home page links every laureate, region by region, up to this many (the programme has 24); beyond,
# it shows each region's number of laureates and amounts, linked to the project list filtered by region.
ACCUEIL_LAUREATS_MAX = env_int("ACCUEIL_LAUREATS_MAX", 60)

# Reporting periods of the indicators (indicateurs/periodes.py): the follow-up starts with the programme's
# first full year; a period's values are due this many days after it ends.
INDICATEURS_DEBUT_SUIVI = datetime.date.fromisoformat(env_str("INDICATEURS_DEBUT_SUIVI", "2020-01-01"))
INDICATEURS_DELAI_DECLARATION_JOURS = env_int("INDICATEURS_DELAI_DECLARATION_JOURS", 60)
# Spreadsheet import of measurements (indicateurs/imports.py): the file's size is checked before it is
# read, its uncompressed size before openpyxl parses it (a zip bomb stops there), then the rows it holds.
IMPORT_TAILLE_MAX_OCTETS = env_int("IMPORT_TAILLE_MAX_OCTETS", 2 * 1024 * 1024)
IMPORT_TAILLE_DECOMPRESSEE_MAX_OCTETS = env_int("IMPORT_TAILLE_DECOMPRESSEE_MAX_OCTETS", 50 * 1024 * 1024)
IMPORT_LIGNES_MAX = env_int("IMPORT_LIGNES_MAX", 2000)
IMPORT_ERREURS_MAX = env_int("IMPORT_ERREURS_MAX", 200)

# The portal's public address, for the links in e-mails sent by the workers (no request to take it from).
PORTAIL_URL = env_str("PORTAIL_URL", "http://localhost:8000").rstrip("/")

# Open data, SCDL « subventions » (portail/donnees_ouvertes.py): the body attributing the subsidies
# (nomAttribuant, idAttribuant) and the aid scheme (dispositifAide). The Banque des Territoires, which operates the
# programme for the State (PIA), is a directorate of the Caisse des dépôts: the legal person, with its SIRET.
SCDL_NOM_ATTRIBUANT = env_str("SCDL_NOM_ATTRIBUANT", "Caisse des dépôts et consignations").strip()
SCDL_ID_ATTRIBUANT = env_str("SCDL_ID_ATTRIBUANT", "18002002600019").strip()
SCDL_DISPOSITIF_AIDE = env_str("SCDL_DISPOSITIF_AIDE", "Territoires d'Innovation").strip()
if not SCDL_NOM_ATTRIBUANT or not SCDL_DISPOSITIF_AIDE:
    raise ImproperlyConfigured("SCDL_NOM_ATTRIBUANT et SCDL_DISPOSITIF_AIDE ne peuvent être vides.")


# Every published row carries this SIRET: a wrong one would make the whole file invalid.
if not (re.fullmatch(r"[0-9]{14}", SCDL_ID_ATTRIBUANT) and stdnum_siret.is_valid(SCDL_ID_ATTRIBUANT)):
    raise ImproperlyConfigured(
        f"SCDL_ID_ATTRIBUANT={SCDL_ID_ATTRIBUANT!r} n'est pas un SIRET valide (14 chiffres, clé de Luhn)."
    )

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The manifest storage renames files, so the checksums django-dsfr ships would
# no longer match and the browser would block the CSS.
DSFR_USE_INTEGRITY_CHECKSUMS = False
DSFR_MARK_OPTIONAL_FIELDS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "comptes.authentification.JetonAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "config.api_tools.UpdatedSinceFilter",
        "django_filters.rest_framework.DjangoFilterBackend",
        "config.recherche.RechercheFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.api_schema.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    # The API speaks JSON; the portal's forms do not go through DRF.
    "DEFAULT_PARSER_CLASSES": ["config.parseurs.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "config.api_tools.CSVRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["comptes.throttling.RoleRateThrottle"],
    # Per role; a partner's batch sync stays well under these.
    "DEFAULT_THROTTLE_RATES": {
        "anonyme": env_str("THROTTLE_ANONYME", "120/min"),
        "partenaire": env_str("THROTTLE_PARTENAIRE", "600/min"),
        "directeur": env_str("THROTTLE_DIRECTEUR", "1200/min"),
        "charge": env_str("THROTTLE_CHARGE", "3000/min"),
    },
    "EXCEPTION_HANDLER": "config.api_exceptions.exception_handler",
}
# A sync's pages stop this long before the oldest transaction still writing (config/synchro.py):
# the gap between the clocks of the application and the database, and between a row's
# stamp and its transaction's first write.
API_SYNCHRO_MARGE_MS = env_int("API_SYNCHRO_MARGE_MS", 1000)
# Who reads, as the API's ETags tell readers apart (config/conditionnel.py).
API_PORTEE_LECTEUR = "comptes.roles.portee"
SPECTACULAR_SETTINGS = {
    "TITLE": "API Territoires d'Innovation",
    "DESCRIPTION": (
        "Données publiques et de suivi du programme « Territoires d'Innovation » "
        "(PIA 3, opéré par la Banque des Territoires).\n\n"
        '- Montants en euros, en chaînes décimales ("5700000.00").\n'
        "- Authentification : en-tête `Authorization: Token <jeton>` (jetons créés par "
        "`creer_compte --jeton` ou `POST /api/v1/jetons/`).\n"
        "- Listes paginées (`page`, `page_size` ≤ 100), filtrables, triables (`ordering`), "
        "recherche (`search`), synchronisation incrémentale (`updated_since`).\n"
        "- Toute liste existe aussi en CSV avec `?format=csv` (RFC 4180 : virgule, point décimal, UTF-8, "
        "`true`/`false`, vide pour null) : toutes les lignes filtrées en un seul fichier, sans pagination ; "
        "objets imbriqués en colonnes `region.code`, listes en une cellule JSON.\n"
        "- Identifiants publics stables : slugs, codes INSEE, SIREN, UUID des écritures.\n"
        "- Ce qu'un rôle ne peut pas voir est absent des listes et renvoie 404 en détail.\n"
        "- Erreurs : détails de problème RFC 9457 (`application/problem+json`, schéma `Probleme`), "
        "messages par champ dans `errors`."
    ),
    "VERSION": "1.0.0",
    # The data's licence (the press kit's, republished); the code's own is the repository's.
    "LICENSE": {
        "name": "Licence Ouverte / Open Licence 2.0 (Etalab)",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    },
    # Relative: the host serving this schema is the API's (a generated client takes its base URL at run time).
    "SERVERS": [{"url": "/", "description": "Le serveur qui publie ce schéma."}],
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # After drf-spectacular's own enum naming: a parameter with a component's values refers to it.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.api_schema.shared_enums"],
    "ENUM_NAME_OVERRIDES": {
        "NatureOrganisationEnum": "laureats.models.Organisation.Nature",
        "NatureRegionEnum": "territoires.models.Region.Nature",
        "NatureEngagementEnum": "financements.models.Engagement.Nature",
        "NatureVersementEnum": "financements.models.Versement.Nature",
        "CodeEnveloppeEnum": "financements.models.Enveloppe.Code",
        "RoleEnum": "laureats.models.Partenariat.Role",
        "StatutProjetEnum": "laureats.models.Projet.Statut",
    },
}

# --- Celery: broker, time limits, worker loss -------------------------------------
# The embedded default is kombu's filesystem transport (no server);
# CELERY_BROKER_URL=redis://... switches to Redis.
#
# Worker loss. Tasks are acknowledged late (once they return) and rejected back to
# their queue if their pool process dies; both tasks are safe to rerun (upserts, one
# evaluation per indicator and date, digests claimed by a unique row), so a run cut
# short is run again whole and ends with the rows a clean run writes. When the WHOLE
# worker dies (SIGKILL, out of memory, host lost) nobody is left to reject: on Redis
# the message stays in kombu's "unacked" set until a consumer's sweep
# (QoS.restore_visible: at each worker's start, then every unacked_restore_interval
# seconds) finds it older than visibility_timeout and puts it back on its queue, for
# the next worker to run. kombu's default is an hour; CELERY_VISIBILITY_TIMEOUT sets it.
#
# The timeout must exceed the longest time a LIVE worker holds a message
# unacknowledged, or a slow but alive run is handed to a second worker while it runs:
# the hard time limit (CELERY_TASK_TIME_LIMIT, 6 min, which every task keeps) plus
# the longest retry countdown (2 min, indicateurs.tasks: a retry is fetched at once
# and held unacknowledged until due). By default it is the time limit plus 4 min
# (10 min), 2 min to spare, and follows the limit when CELERY_TASK_TIME_LIMIT is
# raised; a killed worker's task runs again 10 min to 10 min 10 s after it was
# received. tests/indicateurs/test_worker_reglages.py checks the defaults.
#
# The filesystem transport has neither: a message file is deleted as soon as a worker
# reads it; a warm shutdown (SIGTERM, Ctrl-C) writes the unacknowledged ones back, a
# SIGKILL loses them, and the day stays partial until `manage.py evaluer_indicateurs
# --date` runs it again.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True


def celery_transport_options(url: str) -> dict:
    """kombu's options for the broker at `url` (config.settings.test calls it again for its own broker)."""
    if url.startswith("filesystem://"):
        dossier = VAR_DIR / "celery-queue"
        dossier.mkdir(exist_ok=True)
        (VAR_DIR / "celery-control").mkdir(exist_ok=True)
        return {
            "data_folder_in": str(dossier),
            "data_folder_out": str(dossier),
            "control_folder": str(VAR_DIR / "celery-control"),
        }
    if url.startswith(("redis://", "rediss://", "redis+socket://", "sentinel://")):
        return {
            "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 4 * 60),
            # One sweep (a ZRANGE on the unacked index) every 10 s per worker, not kombu's
            # every tenth tick of 10 s: redelivery within the timeout plus 10 s.
            "unacked_restore_interval": 10,
            "unacked_restore_throttle": 1,
        }
    return {}


CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = celery_transport_options(CELERY_BROKER_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# On PostgreSQL the evaluation of the indicators runs ranges of them side by side, each
# in its own transaction on its own connection: the daily run uses the database's cores.
INDICATEURS_CONNEXIONS = env_int("INDICATEURS_CONNEXIONS", 2)

# Shared cache: the throttle counters (and anything else cached) must be the same for every
# web worker, so production sets CACHE_URL (Redis). The backend fails open: Redis down or
# unreachable reads as an empty cache with a logged warning, never a 500 (config/pannes.py).
# Without CACHE_URL each process keeps its own counters (development, single process).
# Sessions stay in the database (SESSION_ENGINE's default), not in this cache.
CACHES = {
    "default": (
        {
            "BACKEND": "config.pannes.FailOpenRedisCache",
            "LOCATION": env_str("CACHE_URL"),
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
        if env_str("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "territoires-innovation@localhost")

# --- Legal pages (/accessibilite/, /mentions-legales/, /donnees-personnelles/) ---
# Who answers an accessibility report (RGAA: the statement gives a contact) and a request
# about personal data; both addresses are the operator's, set per deployment.
ACCESSIBILITE_CONTACT = env_str("ACCESSIBILITE_CONTACT", DEFAULT_FROM_EMAIL)
DONNEES_PERSONNELLES_CONTACT = env_str("DONNEES_PERSONNELLES_CONTACT", ACCESSIBILITE_CONTACT)
# The host named in the legal notice (loi n° 2004-575 du 21 juin 2004, article 6).
HEBERGEUR_NOM = env_str("HEBERGEUR_NOM", "Caisse des Dépôts et consignations")
HEBERGEUR_ADRESSE = env_str("HEBERGEUR_ADRESSE", "56 rue de Lille, 75007 Paris")
HEBERGEUR_CONTACT = env_str("HEBERGEUR_CONTACT", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Where the press kit the fixtures come from is kept (the tests compare against it).
PRESS_KIT_PATH = BASE_DIR / "fixtures" / "sources" / "dossier_de_presse_2019-09-13.txt"

# Connexion : verrou (django-axes), limitation par adresse, mandataires de confiance
# How many reverse proxies in front of the application append the client's address to
# X-Forwarded-For. 0 (the default): the header is ignored, the client is REMOTE_ADDR.
# N: the N-th address from the right of X-Forwarded-For is the client; anything to its
# left was written by the client and is never read. The API throttle (DRF) and the
# login lockout (django-axes, through django-ipware) both derive from this one number,
# so they identify the same client.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES={TRUSTED_PROXIES} : nombre de mandataires, positif ou nul.")
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXIES
# ipware counts the proxies listed in the header, i.e. all but the last one (REMOTE_ADDR);
# not strict, so entries a client prepends do not send ipware back to REMOTE_ADDR.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXIES else ("REMOTE_ADDR",)
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXIES - 1 if TRUSTED_PROXIES else None
IPWARE_STRICT = False
# One lockout for every way in (portal login, admin login; the API takes no password):
# 10 failures for a username from one address lock that pair for 15 minutes. Keyed on
# both, so failures from elsewhere never lock the account's owner out. Counts live in
# the database, shared by every web worker and independent of the cache.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
# Attempts made while locked are not counted: the lockout ends 15 minutes after it began.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "comptes.authentification.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# On top of the lockout, login POSTs per client address, whatever the username
# (DRF's throttle: counters in the cache, 429 with Retry-After).
THROTTLE_CONNEXION = env_str("THROTTLE_CONNEXION", "30/min")

# --- Open data: the IATI activity file (/donnees-ouvertes/iati-activities.xml, portail/iati.py) ---
# Its publisher (reporting-org): the Caisse des Dépôts, which runs the programme for the State
# through the Banque des Territoires. Its identifier follows org-id.guide: the list FR-RCS (SIREN
# numbers of the Sirene register; FR-INSEE is deprecated in its favour), then the SIREN.
IATI_ORGANISATION_REF = env_str("IATI_ORGANISATION_REF", "FR-RCS-180020026")
IATI_ORGANISATION_NOM = env_str("IATI_ORGANISATION_NOM", "Caisse des dépôts et consignations")
# IATI OrganisationType 15, « Other Public Sector »: a public institution (établissement public
# spécial), not a government (10) nor a ministry's department.
IATI_ORGANISATION_TYPE = env_str("IATI_ORGANISATION_TYPE", "15")
# An activity's identifier is this prefix, a hyphen and the project's slug. IATI requires it to
# begin with the publisher's identifier; "TI" keeps the programme apart from its other activities.
IATI_IDENTIFIANT_PREFIXE = env_str("IATI_IDENTIFIANT_PREFIXE", f"{IATI_ORGANISATION_REF}-TI")
if not IATI_IDENTIFIANT_PREFIXE.startswith(IATI_ORGANISATION_REF):
    raise ImproperlyConfigured(
        f"IATI_IDENTIFIANT_PREFIXE={IATI_IDENTIFIANT_PREFIXE!r} doit commencer par l'identifiant de "
        f"l'organisation qui publie, IATI_ORGANISATION_REF={IATI_ORGANISATION_REF!r}."
    )
