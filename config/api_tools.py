"""API plumbing shared by every resource: incremental sync, CSV, strict inputs."""

import csv
import datetime
import json
import re
from collections.abc import Iterable, Iterator

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, StreamingHttpResponse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware
from drf_spectacular.drainage import get_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, filters, mixins, renderers, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder

from config import synchro
from config.conditionnel import ConditionnelMixin
from config.saisie import DecimalChaineField
from config.saisie import TexteStrict as TexteStrict  # re-exported: serializers and the schema hook use it
from config.tableur import cellule


class UpdatedSinceFilter(filters.BaseFilterBackend):
    """`?updated_since=<ISO date or datetime>`: what changed since, for incremental sync.

    A view names its timestamp with `updated_since_field` (default: `modifie_le`), or its
    own and its nested rows' with `updated_since_fields`. The pages of such a list are
    keyset pages (config/synchro.py, config/pagination.py).
    """

    param = "updated_since"

    def filter_queryset(self, request, queryset, view):
        value = request.query_params.get(self.param)
        if value is None:
            return queryset
        try:
            moment = parse_datetime(value) or (parse_date(value) and parse_datetime(f"{value}T00:00:00"))
        except ValueError as exc:
            # Well formed but impossible: a 30 February, an offset of +99:00 (beyond ±24 hours).
            raise exceptions.ValidationError(
                {self.param: "Date hors des limites : jour inexistant ou décalage horaire au-delà de ±23:59."}
            ) from exc
        if moment is None:
            raise exceptions.ValidationError(
                {self.param: "Date invalide : attendu AAAA-MM-JJ ou AAAA-MM-JJTHH:MM:SS avec fuseau."}
            )
        try:
            moment = make_aware(moment) if is_naive(moment) else moment.astimezone(datetime.UTC)
        except (OverflowError, ValueError) as exc:
            raise exceptions.ValidationError({self.param: "Date hors des limites."}) from exc
        # One key per row (its own stamp, or the latest of its own and its nested rows'): the
        # filter and the keyset pagination that follows it read the same value.
        return synchro.annoter(queryset, view).filter(**{f"{synchro.CLE}__gte": moment})

    def get_schema_operation_parameters(self, view):
        return []  # declared through `schema_parameters()` so only list operations carry it

    @classmethod
    def schema_parameter(cls) -> OpenApiParameter:
        return OpenApiParameter(
            cls.param,
            OpenApiTypes.DATETIME,
            description=(
                "Ne renvoie que ce qui a changé depuis cette date (AAAA-MM-JJ ou date-heure ISO 8601), du plus "
                "ancien changement au plus récent, page après page par le lien `next` (sans `count`). Pour la "
                "synchronisation suivante, reprenez au plus grand `modifie_le` reçu : rien n'est omis, une ligne "
                "modifiée pendant le parcours revient dans sa nouvelle version."
            ),
        )

    @classmethod
    def curseur_parameter(cls) -> OpenApiParameter:
        return OpenApiParameter(
            synchro.PARAMETRE_CURSEUR,
            # What encoder() writes (URL-safe base64, never empty): an empty value is a 400 of the middleware.
            {"type": "string", "minLength": 1, "pattern": "^[A-Za-z0-9_-]+$"},
            description="Position dans une synchronisation (`updated_since`) : à reprendre tel quel du lien `next`.",
        )


# --- CSV for programs: RFC 4180 -----------------------------------------------------
# Comma, CRLF, decimal point, UTF-8 without a byte order mark: the charset travels in the
# Content-Type, and a BOM would become part of the first column's name for Python's csv
# module, Go's encoding/csv and most parsers (people get their spreadsheets, with a BOM and
# French conventions, from the portal's exports). Booleans are `true`/`false`, null is
# an empty cell, a nested object becomes `a.b` columns and a list one cell of JSON.


def _cellule_csv(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "true" if valeur else "false"
    if isinstance(valeur, list | dict):
        return json.dumps(valeur, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))
    if isinstance(valeur, str):
        return cellule(valeur)
    return str(valeur)


def _serializer_imbrique(field) -> serializers.BaseSerializer | None:
    """The serializer of a nested object (flattened into columns), or None for a cell of its own."""
    if isinstance(field, serializers.SerializerMethodField):
        # A method documented with @extend_schema_field(SomeSerializer) returns that object.
        field = get_override(getattr(field.parent, field.method_name), "field")
        if isinstance(field, type) and issubclass(field, serializers.BaseSerializer):
            field = field()
    if isinstance(field, serializers.BaseSerializer) and not isinstance(field, serializers.ListSerializer):
        return field
    return None


def csv_colonnes(serializer: serializers.BaseSerializer) -> list[tuple[str, ...]]:
    """The columns of a serializer's CSV, as paths into its data: from its fields, never from the rows."""
    colonnes = []
    for nom, field in serializer.fields.items():
        imbrique = _serializer_imbrique(field)
        if imbrique is None:
            colonnes.append((nom,))
        else:
            colonnes += [(nom, *chemin) for chemin in csv_colonnes(imbrique)]
    return colonnes


def _lire(data, chemin: tuple[str, ...]):
    for cle in chemin:
        if not isinstance(data, dict):
            return None  # a null nested object: every column under it is empty
        data = data.get(cle)
    return data


class _Ligne:
    """The file object csv.writer writes to: each written line is handed back."""

    def write(self, ligne: str) -> str:
        return ligne


def csv_lignes(colonnes: list[tuple[str, ...]], donnees: Iterable[dict]) -> Iterator[str]:
    """The header, then one RFC 4180 line per row of data."""
    writer = csv.writer(_Ligne(), lineterminator="\r\n")
    yield writer.writerow([cellule(".".join(chemin)) for chemin in colonnes])
    for data in donnees:
        yield writer.writerow([_cellule_csv(_lire(data, chemin)) for chemin in colonnes])


class CSVRenderer(renderers.BaseRenderer):
    """`?format=csv`: RFC 4180. Lists are streamed by `ListeMixin`; this renders any other answer (one object).

    An error stays JSON (its content type unchanged if the handler chose one): a one-row
    table of error messages is read by no client.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        reponse = (renderer_context or {}).get("response")
        if reponse is not None and reponse.status_code >= 400:
            if reponse.content_type is None:
                reponse["Content-Type"] = "application/json"
            return renderers.JSONRenderer().render(data, "application/json", renderer_context)
        rows = data if isinstance(data, list) else [data]
        rows = [row if isinstance(row, dict) else {"valeur": row} for row in rows]
        # No serializer here: the columns are the rows' keys, nested objects flattened.
        colonnes = list(dict.fromkeys(chemin for row in rows for chemin in _chemins(row)))
        return "".join(csv_lignes(colonnes, rows)).encode(self.charset)


def _chemins(data: dict, prefixe: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for cle, valeur in data.items():
        if isinstance(valeur, dict):
            yield from _chemins(valeur, (*prefixe, cle))
        else:
            yield (*prefixe, cle)


class ListeMixin(ConditionnelMixin, mixins.ListModelMixin):
    """A list; in CSV, every row of the filtered list, streamed, never one page.

    Filters, search, ordering and the caller's rights apply exactly as to the JSON list
    (`filter_queryset(get_queryset())`); the rows are read `csv_chunk_size` at a time
    (prefetches included) and serialized one by one, so memory stays flat however long
    the list.
    """

    csv_chunk_size = 500

    def list(self, request, *args, **kwargs):
        # A strong ETag from the filtered rows; 304 before any serialization (config/conditionnel.py).
        return self.conditionnel(self.filter_queryset(self.get_queryset()), self.list_response)

    def list_response(self, queryset):
        """A list's answer (also a nested list action's): one page in JSON, every row in CSV."""
        if isinstance(self.request.accepted_renderer, CSVRenderer):
            return self.csv_response(queryset)
        return self.page_response(queryset)

    def page_response(self, queryset):
        """One page of the filtered rows, through the serializer.

        A view whose pages are large may build its rows outside the serializer here
        (a fast path), as long as its fields are the serializer's: config.lecture_rapide
        reads them by `.values()` and encodes them with orjson (the projects, the measurements).
        """
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(self.get_serializer(queryset, many=True).data)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def csv_response(self, queryset) -> StreamingHttpResponse:
        serializer = self.get_serializer()
        colonnes = csv_colonnes(serializer)
        donnees = (serializer.to_representation(obj) for obj in queryset.iterator(chunk_size=self.csv_chunk_size))
        lignes = csv_lignes(colonnes, donnees)
        reponse = StreamingHttpResponse(
            (bloc.encode("utf-8") for bloc in _par_blocs(lignes, self.csv_chunk_size)),
            content_type="text/csv; charset=utf-8; header=present",
        )
        nom = self.basename if self.action == "list" else f"{self.basename}-{self.action}"
        reponse["Content-Disposition"] = f'attachment; filename="{nom}.csv"'
        return reponse


def _par_blocs(lignes: Iterator[str], taille: int) -> Iterator[str]:
    """Lines sent a block at a time: one write per line would cost a system call each."""
    bloc = []
    for ligne in lignes:
        bloc.append(ligne)
        if len(bloc) == taille:
            yield "".join(bloc)
            bloc = []
    if bloc:
        yield "".join(bloc)


class DetailMixin(mixins.RetrieveModelMixin):
    """A detail with a strong ETag from its row and what it nests; 304 before any serialization."""

    def retrieve(self, request, *args, **kwargs):
        cle = self.lookup_url_kwarg or self.lookup_field
        queryset = self.get_queryset()
        # Each filter backend is a no-op without its query parameter, yet building the filter set's
        # form costs a small answer milliseconds: a detail asked without parameters skips them
        # (with parameters it is filtered as DRF's get_object filters it: a 404 outside the filter).
        if set(request.query_params) - {api_settings.URL_FORMAT_OVERRIDE}:
            queryset = self.filter_queryset(queryset)
        try:  # as DRF's get_object_or_404: an identifier its column cannot hold is a 404, not a 400
            meta = queryset.model._meta
            (meta.pk if self.lookup_field == "pk" else meta.get_field(self.lookup_field)).to_python(self.kwargs[cle])
        except (TypeError, ValueError, DjangoValidationError) as exc:
            raise Http404 from exc
        queryset = queryset.filter(**{self.lookup_field: self.kwargs[cle]})
        return self.conditionnel(queryset, self.detail_response)

    def detail_response(self, queryset):
        """The detail's answer, through the serializer (`queryset` is the view's, filtered to the one row).

        A view may read its one row outside the serializer here, as `page_response` does for
        a page (config.lecture_rapide.objet_rapide), its fields still the serializer's.
        """
        return mixins.RetrieveModelMixin.retrieve(self, self.request, *self.args, **self.kwargs)


class StrictBooleanFilter(django_filters.BooleanFilter):
    """`true` or `false`; anything else is a 400 rather than silently no filter."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


# The strict input fields live with the other input parsing; these names are what the schema hook tests.
DecimalStrict = DecimalChaineField


class LienParIdentifiant(serializers.HyperlinkedIdentityField):
    """HyperlinkedIdentityField that resolves its route once per response, not once per row.

    reverse() plus build_absolute_uri() cost tens of microseconds a row: a third of the
    serialization of a page of 100 projects. Every row's link is the first row's with the
    identifier swapped, which holds for identifiers a URL carries unescaped (slugs, codes,
    UUIDs); anything else goes through DRF's reverse as usual.
    """

    sans_echappement = re.compile(r"[-\w]+", re.ASCII).fullmatch

    def get_url(self, obj, view_name, request, format):
        valeur = str(getattr(obj, self.lookup_field, ""))
        modele = getattr(self, "_modele", None)
        rapide = not format and getattr(obj, "pk", None) not in (None, "") and self.sans_echappement(valeur)
        if not rapide or modele is None or modele[0] is not request:
            url = super().get_url(obj, view_name, request, format)
            if rapide and url and url.count(valeur) == 1:
                avant, apres = url.split(valeur)
                self._modele = (request, avant, apres)
            return url
        return f"{modele[1]}{valeur}{modele[2]}"
