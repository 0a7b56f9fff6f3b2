"""No 500 on any input: every route of the URLconf, every role, hostile paths, queries and bodies.

The routes come from walking the URLconf (admin and API included), their parameters
are filled with real values from the loaded programme and with hostile ones; the
query parameters a route knows come from the OpenAPI schema (API) or from the forms
and links of its page (HTML, admin); the bodies use the real field names of the
forms and serializers. Each request must answer below 500, and a refused write
(4xx) must leave every table as it was. Hostile values are sampled per route and
role deterministically (the full set for the programme officer and the superuser,
who reach deepest), so the whole suite stays within about two minutes.
"""

import datetime
import json
import zlib
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator

from laureats.models import Projet
from tests.securite.routes import Route, toutes_les_routes
from tests.securite.terrain import comptes_du_terrain, objets_du_terrain

pytestmark = pytest.mark.django_db

ROLES = ["anonyme", "partenaire", "directeur", "charge"]
ROLES_ADMIN = ["anonyme", "partenaire", "superuser"]
# Who reaches deepest, so gets the larger share of hostile values (the others mostly stop at 401/403).
ROLES_COMPLETS = {"charge", "superuser"}
# Tables a request may write without a form or serializer having accepted anything.
TABLES_LIBRES = {"django_session"}
METHODES_ECRITURE = ("post", "put", "patch", "delete")

ENORME = "x" * 1_000_000
# Inserted in a path segment (percent-encoded): whatever the converter, the answer stays below 500.
HOSTILES_CHEMIN = [
    "\x00", "a\x00b", "\x01\x1f\x7f", "１２３", "٣", "-1", "0", "99999999999999999999999999", "1e999", "NaN",
    "x" * 5000, "..", "%00", "é\u202e", "<script>", "00000000-0000-0000-0000-000000000000",
]  # fmt: skip
# Query values: NUL, exponents, full-width and Arabic-Indic digits, out-of-range offsets and dates, long text.
HOSTILES_REQUETE = [
    "\x00", "x\x00", "1e999", "-1e999", "NaN", "Infinity", "１２３", "٣", "-1", "0",
    "99999999999999999999999999", "-99999999999999999999", "2020-01-01T00:00:00+99:00",
    "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "2020-02-30", "0000-00-00", "x" * 10_000,
    "", "\u202e", "' OR 1=1 --", "-", "__", "true", "1.5", "[]", "?", "-titre,-", "../../",
]  # fmt: skip
# Form-encoded values for every field of a form.
HOSTILES_FORMULAIRE = [
    "\x00", "a\x00b", "1e999", "-1e999", "NaN", "-Infinity", "１２３", "٣", "-1", "0",
    "99999999999999999999999999", "0.000000000000000000001", "2020-01-01T00:00:00+99:00", "9999-12-31",
    "0000-00-00", "2020-02-30", "31/12/9999", ENORME, "\u202e", " ", "on", "[]",
]  # fmt: skip
# JSON values (raw JSON text) for every field of a serializer.
HOSTILES_JSON = [
    "1e999", "-1e999", "NaN", "Infinity", "1" + "0" * 400, "-1", "1.5", "true", "null", "[]", "{}",
    '"\\u0000"', '"a\\u0000b"', '"１２３"', '"٣"', '"1e999"', '"NaN"', '"2020-01-01T00:00:00+99:00"',
    '"9999-12-31"', '"0000-00-00"', '"2020-02-30"', json.dumps(ENORME), "[" * 40 + "]" * 40,
    '{"\\u0000": 1}', '["1.00"]',
]  # fmt: skip
# Whole bodies: not an object, malformed, deep, a NUL key, invalid UTF-8.
CORPS_HOSTILES = [
    b"", b"null", b"[]", b"1e999", b'"x"', b"{", b"[" * 1000 + b"]" * 1000, b'{"\\u0000": "\\u0000"}',
    b'{"a": "\xff\xfe"}', b"\xef\xbb\xbf{}", b'{"a": 1, "a": 2}',
]  # fmt: skip
# Content types the views do not speak, with a body that does not match them either.
TYPES_HOSTILES = [
    ("text/plain", b'{"montant": "1.00"}'),
    ("application/xml", b"<a>1</a>"),
    ("multipart/form-data; boundary=x", b"--y\r\n\r\n"),
    ("multipart/form-data", b"sans frontiere"),
    ("application/x-www-form-urlencoded", b"%%%=%ff&a=%00"),
    ("application/json; charset=utf-16", '{"a": 1}'),  # the test client encodes it in UTF-16
    ("application/json", b'{"montant": "1.00"'),
    ("", b"\x00\x01"),
]
FORMULAIRE = "application/x-www-form-urlencoded"
# How many hostile values a (route, role) gets: a rotating slice of each list, a different one
# per route and role (crc32 of both), so the suite as a whole sends every value without sending
# all of them everywhere. "complet": the role reaching deepest (programme officer, superuser) on
# a route of its own (not a `.json` twin); "ecrit": the route takes writes (a form or a
# serializer posts to it). "champs": how many fields, one at a time, get a hostile value while
# the others keep the page's current ones (the deepest path a form takes).
BUDGETS = {
    ("complet", True): {"chemin": 2, "requete": 4, "parametres": True, "corps": 3, "champs": 12},
    ("complet", False): {"chemin": 2, "requete": 3, "parametres": True, "corps": 1, "champs": 0},
    ("echantillon", True): {"chemin": 1, "requete": 1, "parametres": False, "corps": 1, "champs": 0},
    ("echantillon", False): {"chemin": 1, "requete": 1, "parametres": False, "corps": 1, "champs": 0},
    # Django's admin runs the same views for every model: the superuser gets a slice on each,
    # the changelists (their filters are per model) and the add/change forms a larger one.
    ("admin", True): {"chemin": 1, "requete": 2, "parametres": True, "corps": 2, "champs": 4},
    ("admin", False): {"chemin": 1, "requete": 1, "parametres": False, "corps": 1, "champs": 0},
    # Anonymous and non-staff callers of the admin all get the login redirect.
    ("porte", False): {"chemin": 0, "requete": 1, "parametres": False, "corps": 0, "champs": 0},
}
PARAMETRES_GENERIQUES = ["search", "ordering", "page", "page_size", "updated_since", "format", "export", "q"]
PARAMETRES_ADMIN = ["q", "o", "p", "e", "all", "_changelist_filters", "_to_field", "_popup", "next"]


def _choix(valeurs: list, k: int, graine: str) -> list:
    """`k` values of `valeurs`, the same on every run, a different slice per `graine`."""
    if k >= len(valeurs):
        return list(valeurs)
    debut = zlib.crc32(graine.encode()) % len(valeurs)
    return [valeurs[(debut + i) % len(valeurs)] for i in range(k)]


class _Page(HTMLParser):
    """The forms of a page (method, action, fields with their current values) and the query keys of its links."""

    def __init__(self):
        super().__init__()
        self.formulaires: list[dict] = []
        self.cles_liens: set[str] = set()
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"), "champs": {}}
            self.formulaires.append(self._form)
        elif tag == "a" and "?" in (attrs.get("href") or ""):
            self.cles_liens.update(cle for cle, _ in parse_qsl(urlsplit(attrs["href"]).query, keep_blank_values=True))
        elif self._form is not None and attrs.get("name") and tag in ("input", "select", "textarea", "button"):
            nom = attrs["name"]
            if nom == "csrfmiddlewaretoken":
                return
            if tag == "input" and attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                self._form["champs"].setdefault(nom, "")
            else:
                self._form["champs"][nom] = attrs.get("value") or ""
            self._textarea = nom if tag == "textarea" else None
            self._select = nom if tag == "select" else None
        elif tag == "option" and self._select and "selected" in attrs:
            self._form["champs"][self._select] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["champs"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _modele_admin(route: Route):
    morceaux = route.gabarit.split("/")
    return apps.get_model(morceaux[2], morceaux[3])


def valeurs_reelles(route: Route, d: dict) -> dict[str, str]:
    """A real value for each parameter of the route; KeyError names what the suite cannot fill."""
    g = route.gabarit
    valeurs = {}
    for p in route.parametres:
        if p == "format":
            valeurs[p] = ".json" if route.suffixe_drf else "json"
        elif route.admin:
            if p == "app_label":
                valeurs[p] = "laureats"
            elif p == "content_type_id":
                valeurs[p] = str(ContentType.objects.get_for_model(Projet).pk)
            elif p == "object_id" and g.startswith("/admin/r/"):
                valeurs[p] = str(d["projet"].pk)
            elif p == "url":
                valeurs[p] = "laureats/inexistant/"  # the admin's catch-all, past every model's routes
            elif p == "id" and "/auth/user/" in g:
                valeurs[p] = str(d["superuser"].pk)
            elif p in ("object_id", "_1"):
                ligne = _modele_admin(route)._default_manager.order_by("pk").first()
                valeurs[p] = str(ligne.pk) if ligne else "0"  # an empty table: an absent row is still a real shape
            elif p == "_2":
                modele = _modele_admin(route)
                ligne = modele._default_manager.order_by("pk").first()
                historique = ligne.history.order_by("history_id").first() if ligne else None
                valeurs[p] = str(historique.history_id) if historique else "0"
            else:
                raise KeyError(f"{route} : paramètre d'administration {p!r}")
        elif p == "slug":
            if g.startswith(("/projets/", "/api/v1/projets/")):
                valeurs[p] = "biovallee"
            elif g.startswith(("/api/v1/organisations/", "/organisations/")):
                valeurs[p] = d["projet"].chef_de_file.slug
            elif g.startswith("/api/v1/thematiques/"):
                valeurs[p] = "agroecologie"
            elif g.startswith("/api/v1/types-territoire/"):
                valeurs[p] = "metropole"
            else:
                raise KeyError(f"{route} : slug")
        elif p == "code":
            if g.startswith(("/financements/regions/", "/api/v1/regions/")):
                valeurs[p] = "84"
            elif g.startswith("/api/v1/enveloppes/"):
                valeurs[p] = "subvention"
            elif g.startswith(("/indicateurs/", "/api/v1/indicateurs/")):
                valeurs[p] = d["indicateur"].code
            else:
                raise KeyError(f"{route} : code")
        elif p == "uid":
            if "engagements/" in g:
                valeurs[p] = str(d["engagement"].uid)
            elif "versements/" in g:
                valeurs[p] = str(d["versement"].uid)
            elif "mesures/" in g:
                valeurs[p] = str(d["mesure"].uid)
            elif "conventions/" in g:
                valeurs[p] = str(d["engagement"].convention.uid)
            else:
                raise KeyError(f"{route} : uid")
        elif p == "numero" and "conventions/" in g:
            valeurs[p] = "1"
        elif p == "pk":
            if "/partenaires/" in g:
                valeurs[p] = str(d["partenariat"].pk)
            elif "{genre}" in g:
                valeurs[p] = str(d["projet"].objectifs.order_by("pk").first().pk)
            elif "/etablissements/" in g:
                valeurs[p] = str(d["etablissement"].pk)
            elif g.startswith("/api/v1/tranches/"):
                valeurs[p] = str(d["convention"].tranches.get(numero=1).pk)
            elif g.startswith("/mon-espace/periodes/"):
                valeurs[p] = str(d["mesure"].periode_id)
            elif g.startswith("/mon-espace/jetons/"):
                valeurs[p] = str(d["jeton"].pk)
            else:
                raise KeyError(f"{route} : pk")
        elif p == "genre":
            valeurs[p] = "objectifs"
        elif p == "vers":
            valeurs[p] = "bas"
        elif p == "prefixe":
            valeurs[p] = d["prefixe"]
        else:
            raise KeyError(f"{route} : paramètre {p!r}")
    return valeurs


def _corps_schema(schema: dict, operation: dict) -> list[str]:
    contenu = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in contenu:
        contenu = schema["components"]["schemas"][contenu["$ref"].rsplit("/", 1)[1]]
    return sorted(contenu.get("properties", {}))


def _chemin_schema(route: Route) -> str:
    return route.gabarit.replace(".{format}/", "/")


def _requete_snapshot(avec_comptes: bool) -> str:
    """One query over every table: its greatest primary key (an insert anywhere, or a history row,
    moves it; an index lookup, cheap enough before and after each write), and with `avec_comptes`
    its row count (a full scan, once per route)."""
    parties = []
    for modele in apps.get_models(include_auto_created=True):
        meta = modele._meta
        if meta.proxy or not meta.managed or meta.db_table in TABLES_LIBRES:
            continue
        table = connection.ops.quote_name(meta.db_table)
        colonne = connection.ops.quote_name(meta.pk.column)
        compte_ = "COUNT(*)" if avec_comptes else "0"
        # Names from the model registry, quoted by the backend: no outside input reaches this SQL.
        parties.append(f"SELECT '{meta.db_table}', CAST(MAX({colonne}) AS TEXT), {compte_} FROM {table}")  # noqa: S608
    return " UNION ALL ".join(sorted(set(parties)))


def _etat(requete: str) -> dict:
    with connection.cursor() as curseur:
        curseur.execute(requete)
        return {table: (maximum, compte_) for table, maximum, compte_ in curseur.fetchall()}


@pytest.fixture(scope="module")
def terrain(django_db_setup, django_db_blocker):
    """The accounts, a commitment, a disbursement, a measurement and the forms of every page, made once.

    Made inside a transaction rolled back when the module ends: each test runs in a
    savepoint of it, so nothing here leaks into other modules.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        d = objets_du_terrain(comptes_du_terrain("hostile"), "hostile", date_mesure=datetime.date(2024, 1, 1))
        d["sessions"] = {}
        for role in [*ROLES[1:], "superuser"]:
            client = Client()
            client.force_login(d[role])
            d["sessions"][role] = client.cookies["sessionid"].value

        d["schema"] = SchemaGenerator().get_schema(request=None, public=True)
        d["routes"] = toutes_les_routes()
        d["non_remplies"] = []
        d["reelles"] = {}
        for route in d["routes"]:
            try:
                d["reelles"][route.gabarit] = valeurs_reelles(route, d)
            except (KeyError, AttributeError) as exc:
                d["non_remplies"].append(str(exc))
        # The pages as those who reach deepest see them: their GET forms and link keys are the
        # route's query parameters, their POST forms the field names of the route they post to.
        d["parametres"], d["formulaires"] = {}, {}
        for route in d["routes"]:
            if route.api or route.gabarit not in d["reelles"]:
                continue
            client = _client(d, "superuser" if route.admin else "charge")
            url = route.url(d["reelles"][route.gabarit])
            reponse = client.get(url)
            if reponse.status_code != 200 or "html" not in reponse.get("Content-Type", ""):
                continue
            page = _Page()
            page.feed(reponse.content.decode())
            cles = set(page.cles_liens)
            for form in page.formulaires:
                if form["method"] == "get":
                    cles.update(form["champs"])
                    continue
                cible = urlsplit(form["action"] or url).path
                try:
                    vue = resolve(cible).route
                except Resolver404:
                    continue
                d["formulaires"].setdefault(vue, {}).update(form["champs"])
            d["parametres"][route.gabarit] = sorted(cles)
        d["maximums"] = _requete_snapshot(avec_comptes=False)
        d["comptes"] = _requete_snapshot(avec_comptes=True)
        yield d
        transaction.set_rollback(True)


def _client(d: dict, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonyme":
        client.cookies["sessionid"] = d["sessions"][role]
    return client


def _parametres_requete(route: Route, d: dict) -> list[str]:
    if route.api:
        operation = d["schema"]["paths"].get(_chemin_schema(route), {}).get("get", {})
        noms = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        return sorted({*noms, *PARAMETRES_GENERIQUES})
    extra = PARAMETRES_ADMIN if route.admin else PARAMETRES_GENERIQUES
    return sorted({*d["parametres"].get(route.gabarit, []), *extra})


def _champs_corps(route: Route, d: dict, methode: str) -> dict[str, str]:
    """The fields a write to this route names, with a plausible current value each."""
    if route.api:
        operation = d["schema"]["paths"].get(_chemin_schema(route), {}).get(methode, {})
        return dict.fromkeys(_corps_schema(d["schema"], operation), "1")
    try:
        vue = resolve(route.url(d["reelles"][route.gabarit])).route
    except Resolver404:
        return {}
    return dict(d["formulaires"].get(vue, {}))


class Verificateur:
    """Sends the requests of one route and collects the 5xx and the refused writes that wrote."""

    def __init__(self, d: dict, route: Route):
        self.d = d
        self.route = route
        self.echecs: list[str] = []
        self.ecritures_acceptees = 0

    def envoyer(self, role: str, methode: str, url: str, **kwargs) -> None:
        client = _client(self.d, role)
        avant = _etat(self.d["maximums"]) if methode in METHODES_ECRITURE else None
        reponse = getattr(client, methode)(url, **kwargs)
        apercu = f"{role} {methode.upper()} {url[:150]!r} {str(kwargs.get('data', ''))[:150]!r}"
        if reponse.status_code >= 500:
            self.echecs.append(f"{reponse.status_code} : {apercu}")
        if avant is None:
            return
        if reponse.status_code < 400:
            self.ecritures_acceptees += 1
            return
        apres = _etat(self.d["maximums"])
        ecrites = sorted(table for table in avant if avant[table] != apres[table])
        if ecrites:
            self.echecs.append(f"écriture refusée ({reponse.status_code}) mais {ecrites} modifiées : {apercu}")


def _roles(route: Route) -> list[str]:
    return ROLES_ADMIN if route.admin else ROLES


def test_every_route_of_the_urlconf_is_filled_with_real_values(terrain):
    """A new route whose parameters the suite cannot fill fails here, rather than going untested."""
    assert terrain["non_remplies"] == []
    for route in terrain["routes"]:
        url = route.url(terrain["reelles"][route.gabarit])
        vue = resolve(urlsplit(url).path).func
        # A view may be shadowed by a wrapper of itself (the admin login, throttled in config/urls.py).
        enveloppee = getattr(vue, "__wrapped__", None)
        assert vue is route.callback or enveloppee == route.callback, f"{route} rempli en {url}, résolu ailleurs"


def test_the_suite_reaches_the_forms_and_the_query_parameters_of_the_portal(terrain):
    """The page walk found the portal's write forms and filters: without them the bodies would be empty."""
    vues = set(terrain["formulaires"])
    for vue in ("projets/<slug:slug>/modifier/", "projets/<slug:slug>/engagements/nouveau/",
                "indicateurs/<slug:code>/modifier/", "connexion/"):  # fmt: skip
        assert vue in vues, vue
    assert {"region", "thematique"} <= set(terrain["parametres"]["/projets/"])


def _ids(route: Route) -> str:
    return f"{route.nom}:{route.gabarit}"


ROUTES = toutes_les_routes()


def _budget(route: Route, role: str, ecrit: bool) -> dict:
    if route.admin:
        if role != "superuser":
            return BUDGETS[("porte", False)]
        riche = route.nom.endswith(("_changelist", "_add", "_change"))
        return BUDGETS[("admin", riche)]
    complet = role in ROLES_COMPLETS and ".{format}" not in route.gabarit
    return BUDGETS[("complet" if complet else "echantillon", ecrit)]


def _bombarder(d: dict, route: Route) -> Verificateur:
    """Every hostile request of the route's budget, for each role; the failures collected."""
    reelles = d["reelles"][route.gabarit]
    verif = Verificateur(d, route)
    url_reelle = route.url(reelles)
    parametres = _parametres_requete(route, d)
    ecrit = any(_champs_corps(route, d, methode) for methode in METHODES_ECRITURE)

    for role in _roles(route):
        budget = _budget(route, role, ecrit)
        graine = f"{route.gabarit}:{route.nom}:{role}"
        verif.envoyer(role, "get", url_reelle)

        # Hostile path segments, one parameter at a time, the others real.
        for p in route.parametres:
            for valeur in _choix(HOSTILES_CHEMIN, budget["chemin"], graine + p):
                verif.envoyer(role, "get", route.url({**reelles, p: quote(valeur, safe="")}))

        # Hostile query values: every known parameter at once, then each parameter on its own.
        for valeur in _choix(HOSTILES_REQUETE, budget["requete"], graine):
            verif.envoyer(role, "get", url_reelle + "?" + urlencode(dict.fromkeys(parametres, valeur)))
        for p in parametres if budget["parametres"] else []:
            verif.envoyer(role, "get", url_reelle + "?" + urlencode({p: _choix(HOSTILES_REQUETE, 1, graine + p)[0]}))

        # Hostile bodies: on POST the budget of each kind, on PUT, PATCH and DELETE one body of a rotating kind.
        for methode in METHODES_ECRITURE if budget["corps"] else []:
            champs = _champs_corps(route, d, methode) or _champs_corps(route, d, "post")
            noms = list(champs) or ["champ"]
            sel = graine + methode
            corps_envoyes = []
            for valeur in _choix(HOSTILES_FORMULAIRE, budget["corps"], sel + "form"):
                # A megabyte in one field tests the size limits; in every field it only costs time.
                donnees = {nom: valeur if valeur is not ENORME or i == 0 else "1" for i, nom in enumerate(noms)}
                corps_envoyes.append((urlencode(donnees), FORMULAIRE))
            for nom in _choix(list(champs), budget["champs"], sel + "champs") if methode == "post" else []:
                corps_envoyes.append(
                    (urlencode({**champs, nom: _choix(HOSTILES_FORMULAIRE, 1, sel + nom)[0]}), FORMULAIRE)
                )
            for brut in _choix(HOSTILES_JSON, budget["corps"], sel + "json"):
                valeurs = (brut if len(brut) < 1000 or i == 0 else "1" for i in range(len(noms)))
                corps = "{" + ", ".join(f"{json.dumps(nom)}: {v}" for nom, v in zip(noms, valeurs, strict=True)) + "}"
                corps_envoyes.append((corps, "application/json"))
            for corps in _choix(CORPS_HOSTILES, max(budget["corps"] // 2, 1), sel + "corps"):
                corps_envoyes.append((corps, "application/json"))
            for type_, corps in _choix(TYPES_HOSTILES, max(budget["corps"] // 2, 1), sel + "type"):
                corps_envoyes.append((corps, type_))
            if methode != "post":
                corps_envoyes = _choix(corps_envoyes, 1, sel)
            for corps, type_ in corps_envoyes:
                verif.envoyer(role, methode, url_reelle, data=corps, content_type=type_)
    return verif


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.admin], ids=_ids)
def test_no_5xx_and_no_refused_write_on_the_portal_and_the_api(terrain, route):
    comptes_avant = _etat(terrain["comptes"])

    verif = _bombarder(terrain, route)

    assert verif.echecs == [], "\n".join(verif.echecs[:40])
    if verif.ecritures_acceptees == 0:
        assert _etat(terrain["comptes"]) == comptes_avant


@pytest.mark.parametrize("route", [r for r in ROUTES if r.admin], ids=_ids)
def test_no_5xx_and_no_refused_write_in_the_admin(terrain, route):
    comptes_avant = _etat(terrain["comptes"])

    verif = _bombarder(terrain, route)

    assert verif.echecs == [], "\n".join(verif.echecs[:40])
    if verif.ecritures_acceptees == 0:
        assert _etat(terrain["comptes"]) == comptes_avant
