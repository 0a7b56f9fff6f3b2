"""A fast read path for large pages: rows by `.values()`, encoded by orjson, fields from the serializer.

A page of 100 objects through a DRF serializer costs several times what the same rows
cost read by one query and encoded by orjson: model instances, prefetches into them,
then one `to_representation` per field and per row. For a list's page (and only
there), a view may build its rows from `.values()` instead, under two rules:

- the serializer stays the one contract (schema, writes, the detail, CSV): the fast
  path reads its field list from the serializer (`Lecture`), never its own, so a field
  added to the serializer is either read here too or refused loudly (ImproperlyConfigured);
- each value is rendered exactly as the serializer's field renders it: amounts as
  strings with the field's decimal places (COERCE_DECIMAL_TO_STRING), datetimes in ISO
  8601 in the current time zone with `Z` for UTC, U+2028/U+2029 escaped as DRF's
  JSONRenderer does. tests/api/test_lecture_rapide.py compares both paths' JSON.

A method field (a list, a value depending on the reader) is the serializer's own method,
called on a stand-in object per row that the view builds for the whole page at once.
"""

import decimal
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import HttpResponse
from rest_framework import fields as drf_fields
from rest_framework import relations, renderers, serializers
from rest_framework.settings import api_settings

from config import synchro

# Fields whose to_representation returns a non-null value of the column unchanged (orjson encodes
# str, int, bool, UUID, date as DRF's JSONEncoder does).
_IDENTITE = (
    drf_fields.CharField,  # also Email, Slug, URL, Regex
    drf_fields.IntegerField,
    drf_fields.BooleanField,
    drf_fields.ChoiceField,
    drf_fields.UUIDField,
)


def _decimal(field: drf_fields.DecimalField) -> Callable[[Any], Any]:
    """DecimalField.to_representation, its quantizing context built once instead of per value."""
    if (
        field.decimal_places is None
        or field.normalize_output
        or field.localize
        or not getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    ):
        return field.to_representation
    exposant = decimal.Decimal(".1") ** field.decimal_places
    contexte = decimal.getcontext().copy()
    if field.max_digits is not None:
        contexte.prec = field.max_digits
    arrondi = field.rounding

    def rendre(valeur):
        if not isinstance(valeur, decimal.Decimal):
            valeur = decimal.Decimal(str(valeur).strip())
        return f"{valeur.quantize(exposant, rounding=arrondi, context=contexte):f}"

    return rendre


class _ParPage:
    """A conversion that depends on the request (the current time zone): built once per page."""

    def __init__(self, fabrique: Callable[[], Callable[[Any], Any]]):
        self.fabrique = fabrique


def _datetime(field: drf_fields.DateTimeField) -> "Callable[[Any], Any] | _ParPage":
    """DateTimeField.to_representation for ISO 8601 output, its time zone looked up once per page."""
    if getattr(field, "format", api_settings.DATETIME_FORMAT).lower() != drf_fields.ISO_8601:
        return field.to_representation

    def fabrique():
        fuseau = field.timezone if hasattr(field, "timezone") else field.default_timezone()
        if fuseau is None:
            return field.to_representation

        def rendre(valeur):
            if isinstance(valeur, str) or getattr(valeur, "tzinfo", None) is None:
                return field.to_representation(valeur)
            texte = valeur.astimezone(fuseau).isoformat()
            return texte[:-6] + "Z" if texte.endswith("+00:00") else texte

        return rendre

    return _ParPage(fabrique)


def _date(field: drf_fields.DateField) -> Callable[[Any], Any]:
    if getattr(field, "format", api_settings.DATE_FORMAT).lower() != drf_fields.ISO_8601:
        return field.to_representation
    return lambda valeur: valeur.isoformat() if hasattr(valeur, "isoformat") else field.to_representation(valeur)


def _conversion(field: drf_fields.Field) -> Callable[[Any], Any] | None:
    """How a non-null column value becomes the field's JSON value; None for unchanged."""
    if isinstance(field, drf_fields.DecimalField):
        return _decimal(field)
    if isinstance(field, drf_fields.DateTimeField):
        return _datetime(field)
    if isinstance(field, drf_fields.DateField):
        return _date(field)
    if isinstance(field, _IDENTITE):
        return None
    if isinstance(field, drf_fields.FloatField | drf_fields.JSONField):
        return field.to_representation
    raise ImproperlyConfigured(
        f"Lecture rapide : le champ « {field.field_name} » ({type(field).__name__}) n'a pas de lecture par "
        "colonne ; en faire un champ méthode, ou l'ajouter ici."
    )


class _Objet:
    """What a hyperlink field reads from an object: its pk and its lookup field."""

    def __init__(self, **attributs):
        self.__dict__.update(attributs)


class Lecture:
    """The reading of one serializer's fields from `.values()` rows.

    `colonnes` is what to pass to `.values()`; `lignes(valeurs, substituts)` renders the rows,
    each a dict with the serializer's keys in the serializer's order. A method field is the
    serializer's own method called on the row's stand-in (`substituts`, one per row, built by
    the view with what the method reads), so its logic stays in the serializer.
    """

    def __init__(self, serializer: serializers.BaseSerializer, prefixe: str = "", listes: dict[str, str] | None = None):
        listes = listes or {}
        self.colonnes: list[str] = []
        self.cles: list[str] = []
        # (kind, key, column(s), detail): a column and its conversion, a nested object and its
        # Lecture, a hyperlink's (pk, lookup) columns and its field, a method field and its method.
        self.plan: list[tuple] = []
        for nom, field in serializer.fields.items():
            if field.write_only:
                continue
            self.cles.append(nom)
            if isinstance(field, serializers.SerializerMethodField):
                self.plan.append(("methode", nom, None, field.method_name))
            elif nom in listes:
                self.colonnes.append(listes[nom])
                self.plan.append(("liste", nom, listes[nom], _lecture_de_liste(field)))
            elif isinstance(field, relations.HyperlinkedIdentityField) and "." not in field.lookup_field:
                colonnes = (prefixe + "pk", prefixe + field.lookup_field.replace(".", "__"))
                self.colonnes += colonnes
                self.plan.append(("lien", nom, colonnes, field))
            elif (
                isinstance(field, serializers.BaseSerializer)
                and not isinstance(field, serializers.ListSerializer)
                and field.source_attrs
            ):
                source = prefixe + "__".join(field.source_attrs)
                imbrique = Lecture(field, prefixe=source + "__")
                if imbrique.a_des_methodes:
                    raise ImproperlyConfigured(f"Lecture rapide : « {nom} » imbrique des champs méthode.")
                self.colonnes += [source, *imbrique.colonnes]
                self.plan.append(("objet", nom, source, imbrique))
            elif isinstance(field, relations.SlugRelatedField):
                colonne = prefixe + "__".join([*field.source_attrs, *field.slug_field.split(".")])
                self.colonnes.append(colonne)
                self.plan.append(("colonne", nom, colonne, None))
            elif field.source == "*" or isinstance(field, serializers.ListSerializer | relations.RelatedField):
                raise ImproperlyConfigured(
                    f"Lecture rapide : le champ « {nom} » ({type(field).__name__}) n'a pas de lecture par colonne."
                )
            else:
                colonne = prefixe + "__".join(field.source_attrs)
                self.colonnes.append(colonne)
                self.plan.append(("colonne", nom, colonne, _conversion(field)))

    @property
    def a_des_methodes(self) -> bool:
        return any(genre == "methode" for genre, *_ in self.plan)

    def _page(self, serializer) -> list[tuple]:
        """The plan for one request: the serializer's methods bound to its context, the
        conversions that read the current time zone built. The plan itself serves every request."""
        plan = []
        for genre, nom, colonne, detail in self.plan:
            if genre == "methode":
                detail = getattr(serializer, detail)
            elif genre == "objet" or (genre == "liste" and detail is not None):
                detail = detail._page(None)
            elif isinstance(detail, _ParPage):
                detail = detail.fabrique()
            plan.append((genre, nom, colonne, detail))
        return plan

    @staticmethod
    def _ligne(plan: list[tuple], valeurs: dict, substitut, requete, format_) -> dict:
        ligne = {}
        for genre, nom, colonne, detail in plan:
            if genre == "colonne":
                valeur = valeurs[colonne]
                ligne[nom] = valeur if valeur is None or detail is None else detail(valeur)
            elif genre == "objet":
                imbrique = None if valeurs[colonne] is None else Lecture._ligne(detail, valeurs, None, requete, format_)
                ligne[nom] = imbrique
            elif genre == "liste":
                elements = orjson.loads(valeurs[colonne] or "[]")
                if detail is not None:
                    elements = [Lecture._ligne(detail, e, None, requete, format_) for e in elements]
                ligne[nom] = elements
            elif genre == "lien":
                pk, identifiant = (valeurs[c] for c in colonne)
                objet = _Objet(pk=pk, **{detail.lookup_field: identifiant})
                # HyperlinkedRelatedField.to_representation's choice of format.
                choisi = detail.format if format_ and detail.format and detail.format != format_ else format_
                ligne[nom] = detail.get_url(objet, detail.view_name, requete, choisi)
            else:
                ligne[nom] = detail(substitut)
        return ligne

    def lignes(self, serializer, valeurs: list[dict], substituts: Sequence[Any] | None, format_=None) -> list[dict]:
        """The rows of a page, for the request of `serializer` (its context: request, methods)."""
        if substituts is None:
            if self.a_des_methodes:
                raise ImproperlyConfigured("Lecture rapide : des champs méthode sans substituts pour les lire.")
            substituts = [None] * len(valeurs)
        requete = serializer.context.get("request")
        plan = self._page(serializer)
        return [self._ligne(plan, v, s, requete, format_) for v, s in zip(valeurs, substituts, strict=True)]


def _lecture_de_liste(field: drf_fields.Field) -> "Lecture | None":
    """How a nested list's elements are read from its JSON column: each element a dict keyed by
    the nested serializer's columns (its Lecture), or the slug itself for a list of slugs."""
    if isinstance(field, serializers.ListSerializer):
        imbrique = Lecture(field.child)
        if imbrique.a_des_methodes:
            raise ImproperlyConfigured(f"Lecture rapide : « {field.field_name} » imbrique des champs méthode.")
        return imbrique
    if isinstance(field, relations.ManyRelatedField) and isinstance(field.child_relation, relations.SlugRelatedField):
        return None
    raise ImproperlyConfigured(
        f"Lecture rapide : la liste « {field.field_name} » ({type(field).__name__}) n'a pas de lecture en JSON."
    )


_LECTURES: dict[tuple, Lecture] = {}


def lecture_de(serializer: serializers.BaseSerializer, listes: dict[str, str] | None = None) -> Lecture:
    """The reading of a serializer class's fields, built once (building `.fields` costs a
    serializer a few milliseconds a page): for serializers whose fields do not depend on the request.
    `listes` names, for a nested list field, the column holding its elements as JSON text."""
    cle = (type(serializer), tuple(sorted((listes or {}).items())))
    lecture = _LECTURES.get(cle)
    if lecture is None:
        lecture = _LECTURES[cle] = Lecture(serializer, listes=listes)
    return lecture


class _Rangees:
    """What the paginator cuts: counted as the view's queryset, sliced as its `.values()`.

    The `.values()` queryset joins the tables its related columns come from (`indicateur__code`),
    and its count(*) would join them too: over a million measurements, three times the count
    of the queryset itself.
    """

    def __init__(self, queryset: QuerySet, valeurs: QuerySet):
        self.queryset, self.valeurs = queryset, valeurs
        self.ordered = valeurs.ordered  # the paginator warns about an unordered list
        # The conditional GET has counted the rows already (config/conditionnel.py, config/pagination.py).
        self.compte_connu = getattr(queryset, "compte_connu", None)

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, tranche):
        return self.valeurs[tranche]


def accepte_json_rapide(request) -> bool:
    """Whether the answer is DRF's plain JSON (not CSV, not indented), which the fast path reproduces."""
    renderer = getattr(request, "accepted_renderer", None)
    media = getattr(request, "accepted_media_type", "") or ""
    return type(renderer) is renderers.JSONRenderer and "indent" not in media


def json_drf(data) -> bytes:
    """`data` as DRF's JSONRenderer writes it (compact, UTF-8, U+2028/U+2029 escaped), by orjson."""
    contenu = orjson.dumps(data)
    if b"\xe2\x80\xa8" in contenu or b"\xe2\x80\xa9" in contenu:
        contenu = contenu.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return contenu


def page_rapide(
    view,
    queryset: QuerySet,
    substituts: Callable[[list[dict]], Sequence[Any]] | None = None,
    colonnes: Sequence[str] = (),
    compter: QuerySet | None = None,
) -> HttpResponse:
    """One page of `queryset` as `view.page_response` answers it, read by `.values()`, encoded by orjson.

    The page is cut by the view's paginator (which counts and slices the `.values()`
    queryset as it would the objects) and wrapped by it (`count`, `next`, `previous`,
    `results`). `substituts(rows)` gives, for the page's rows, the objects the serializer's
    method fields read; `colonnes` are the extra columns it needs from the rows (annotations
    of `queryset`, which `compter` may leave out of the count).
    """
    serializer = view.get_serializer()
    lecture = lecture_de(serializer)
    # A sync's keyset pages (config/synchro.py) read each row's key and id, and count nothing.
    sync = synchro.CLE in queryset.query.annotations
    valeurs = queryset.prefetch_related(None).values(
        *dict.fromkeys([*lecture.colonnes, *colonnes, *([synchro.CLE, "pk"] if sync else [])])
    )
    page = view.paginate_queryset(valeurs if sync else _Rangees(queryset if compter is None else compter, valeurs))
    rangees = list(valeurs) if page is None else page
    lignes = lecture.lignes(serializer, rangees, substituts and substituts(rangees), view.format_kwarg)
    if page is None:
        return HttpResponse(json_drf(lignes), content_type="application/json")
    enveloppe = view.get_paginated_response(lignes)
    reponse = HttpResponse(json_drf(enveloppe.data), status=enveloppe.status_code, content_type="application/json")
    for nom, valeur in enveloppe.headers.items():
        if nom.lower() != "content-type":
            reponse[nom] = valeur
    return reponse


def objet_rapide(
    view,
    queryset: QuerySet,
    substitut: Callable[[dict], Any] | None = None,
    colonnes: Sequence[str] = (),
    listes: dict[str, str] | None = None,
) -> HttpResponse | None:
    """One object of `queryset` (a detail, filtered to its one row) as `retrieve` answers it, in one query.

    Its nested lists are JSON columns of the same row (`listes`: field -> column, the
    elements keyed by the nested serializer's columns); `substitut(row)` is what the
    serializer's method fields read. None when there is no row: the view's own retrieve
    then answers (the 404 as it writes it).
    """
    serializer = view.get_serializer()
    lecture = lecture_de(serializer, listes)
    rangees = list(queryset.prefetch_related(None).values(*dict.fromkeys([*lecture.colonnes, *colonnes]))[:2])
    if len(rangees) != 1:
        return None
    ligne = lecture.lignes(serializer, rangees, substitut and [substitut(rangees[0])], view.format_kwarg)[0]
    return HttpResponse(json_drf(ligne), content_type="application/json")
