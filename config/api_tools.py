"""API plumbing shared by every resource: incremental sync, CSV, strict inputs."""

import csv
import datetime
import io
import re

import django_filters
from django import forms
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, filters, renderers, serializers

from config.saisie import DecimalChaineField
from config.saisie import TexteStrict as TexteStrict  # re-exported: serializers and the schema hook use it
from config.tableur import cellule


class UpdatedSinceFilter(filters.BaseFilterBackend):
    """`?updated_since=<ISO date or datetime>`: what changed since, for incremental sync.

    A view names its timestamp with `updated_since_field` (default: `modifie_le`).
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
        fields = getattr(view, "updated_since_fields", None) or [getattr(view, "updated_since_field", "modifie_le")]
        condition = None
        from django.db.models import Q

        for name in fields:
            condition = (
                Q(**{f"{name}__gte": moment}) if condition is None else condition | Q(**{f"{name}__gte": moment})
            )
        return queryset.filter(condition).distinct() if len(fields) > 1 else queryset.filter(condition)

    def get_schema_operation_parameters(self, view):
        return []  # declared through `schema_parameters()` so only list operations carry it

    @classmethod
    def schema_parameter(cls) -> OpenApiParameter:
        return OpenApiParameter(
            cls.param,
            OpenApiTypes.DATETIME,
            description="Ne renvoie que ce qui a changé depuis cette date (AAAA-MM-JJ ou date-heure ISO 8601).",
        )


class CSVRenderer(renderers.BaseRenderer):
    """`?format=csv` on any list: one row per result, nested fields flattened as a.b."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    @staticmethod
    def _flatten(data, prefix: str = "") -> dict:
        flat = {}
        for key, value in data.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                flat.update(CSVRenderer._flatten(value, f"{name}."))
            elif isinstance(value, list):
                flat[name] = " | ".join(
                    ", ".join(f"{k}={v}" for k, v in item.items()) if isinstance(item, dict) else str(item)
                    for item in value
                )
            else:
                flat[name] = "" if value is None else value
        return flat

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        flat = [self._flatten(row) if isinstance(row, dict) else {"valeur": row} for row in rows]
        columns = list(dict.fromkeys(key for row in flat for key in row))
        buffer = io.StringIO()
        # Every cell, header included (a JSON object's keys become columns), through the formula rule.
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([cellule(column) for column in columns])
        writer.writerows([cellule(row.get(column, "")) for column in columns] for row in flat)
        return buffer.getvalue().encode(self.charset)


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
