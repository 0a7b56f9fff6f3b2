"""Reading and writing the JSON fixtures: what every app's loader builds on.

A record reader whose errors name the file, the record and the field in French,
and a writer that only touches rows whose values differ, with the loading's
change reason in their history. It knows no app: each app validates and writes
its own rows with it (territoires, laureats, financements, indicateurs
chargement.py), and portail.chargement.programme_load calls them in order.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
CHANGE_REASON = "Chargement des fixtures du dossier de presse"
MONTANT_RE = re.compile(r"^[0-9]{1,13}\.[0-9]{2}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class FixtureError(Exception):
    """A fixture record is malformed; the message names the record and the field."""


@dataclass
class Rapport:
    crees: Counter = field(default_factory=Counter)
    modifies: Counter = field(default_factory=Counter)
    inchanges: Counter = field(default_factory=Counter)

    @property
    def nb_ecritures(self) -> int:
        return sum(self.crees.values()) + sum(self.modifies.values())

    def lignes(self) -> list[str]:
        noms = sorted(set(self.crees) | set(self.modifies) | set(self.inchanges))
        return [
            f"{nom} : {self.crees[nom]} créé(s), {self.modifies[nom]} modifié(s), {self.inchanges[nom]} inchangé(s)"
            for nom in noms
        ]


# --- Validation ---------------------------------------------------------------


class Record:
    """Typed access to one JSON record; every error names the record and the field."""

    def __init__(self, data: Any, where: str):
        if not isinstance(data, dict):
            raise FixtureError(f"{where} : un objet JSON est attendu.")
        self.data = data
        self.where = where

    def error(self, name: str, message: str) -> FixtureError:
        return FixtureError(f"{self.where}, champ « {name} » : {message}")

    def _get(self, name: str) -> Any:
        if name not in self.data:
            raise self.error(name, "champ manquant.")
        return self.data[name]

    def text(self, name: str, *, blank: bool = False) -> str:
        value = self._get(name)
        if not isinstance(value, str) or (not blank and not value.strip()):
            raise self.error(name, "texte attendu (vide permis)." if blank else "texte non vide attendu.")
        return value

    def slug(self, name: str) -> str:
        value = self.text(name)
        if not SLUG_RE.match(value):
            raise self.error(name, f"identifiant invalide « {value} » (minuscules, chiffres et tirets).")
        return value

    def integer(self, name: str, *, minimum: int = 0) -> int:
        value = self._get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.error(name, f"entier ≥ {minimum} attendu, reçu {value!r}.")
        return value

    def montant(self, name: str, *, nullable: bool = False) -> Decimal | None:
        value = self._get(name)
        if value is None and nullable:
            return None
        # Amounts are decimal strings in euros with two decimals, never floats.
        if not isinstance(value, str) or not MONTANT_RE.match(value):
            raise self.error(name, f'montant en euros attendu sous la forme "5700000.00", reçu {value!r}.')
        try:
            montant = Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards
            raise self.error(name, f"montant illisible {value!r}.") from exc
        if montant <= 0:
            raise self.error(name, "le montant doit être strictement positif.")
        return montant

    def texts(self, name: str, *, allow_empty: bool = False) -> list[str]:
        value = self._get(name)
        if not isinstance(value, list) or (not value and not allow_empty):
            raise self.error(name, "liste non vide attendue.")
        for i, item in enumerate(value, start=1):
            if not isinstance(item, str) or not item.strip():
                raise self.error(name, f"l'élément n°{i} doit être un texte non vide.")
        return value

    def boolean(self, name: str) -> bool:
        value = self._get(name)
        if not isinstance(value, bool):
            raise self.error(name, "booléen attendu.")
        return value

    def record(self, name: str) -> "Record":
        return Record(self._get(name), f"{self.where}, champ « {name} »")

    def records(self, name: str) -> list["Record"]:
        value = self._get(name)
        if not isinstance(value, list):
            raise self.error(name, "liste attendue.")
        return [Record(item, f"{self.where}, {name} n°{i}") for i, item in enumerate(value, start=1)]


def read_json(path: Path) -> Record:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FixtureError(f"{path} : fichier introuvable.") from exc
    except json.JSONDecodeError as exc:
        raise FixtureError(f"{path} : JSON invalide ligne {exc.lineno}, colonne {exc.colno} ({exc.msg}).") from exc
    return Record(data, path.name)


# --- Writing ------------------------------------------------------------------


class Writer:
    def __init__(self) -> None:
        self.rapport = Rapport()

    @staticmethod
    def _differs(obj: models.Model, name: str, value: Any) -> bool:
        if isinstance(value, models.Model):
            return getattr(obj, f"{name}_id") != value.pk
        return getattr(obj, name) != value

    def upsert(self, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
        label = model._meta.verbose_name_plural
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            self.rapport.crees[label] += 1
        else:
            changed = [name for name, value in values.items() if self._differs(obj, name, value)]
            if not changed:
                self.rapport.inchanges[label] += 1
                return obj
            for name in changed:
                setattr(obj, name, values[name])
            self.rapport.modifies[label] += 1
        obj._change_reason = CHANGE_REASON
        obj.full_clean()
        obj.save()
        return obj


def refuse_write_errors(where: str, write, *args) -> None:
    """A record the database refuses aborts the whole transaction, naming the record."""
    try:
        write(*args)
    except ValidationError as exc:
        details = "; ".join(f"champ « {f} » : {' '.join(m)}" for f, m in exc.message_dict.items())
        raise FixtureError(f"{where}, {details} Rien n'a été enregistré.") from exc
    except IntegrityError as exc:
        raise FixtureError(f"{where} : refusé par la base ({exc}). Rien n'a été enregistré.") from exc
