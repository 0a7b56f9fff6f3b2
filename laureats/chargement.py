"""Load the programme's reference data and the 24 laureates from fixtures/.

The files are validated whole before anything is written; the writes happen in
one transaction and only touch rows whose values differ, so a second run
changes nothing (and adds no history row).
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
from django.db import IntegrityError, models, transaction
from django.utils.text import slugify

from financements.models import Allocation, Enveloppe
from laureats.models import (
    Impact,
    Objectif,
    Organisation,
    Partenariat,
    Projet,
    ProjetThematique,
    ProjetTypeTerritoire,
)
from territoires.models import DirectionRegionale, Label, Region, Thematique, TypeTerritoire

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


class _Record:
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

    def record(self, name: str) -> "_Record":
        return _Record(self._get(name), f"{self.where}, champ « {name} »")

    def records(self, name: str) -> list["_Record"]:
        value = self._get(name)
        if not isinstance(value, list):
            raise self.error(name, "liste attendue.")
        return [_Record(item, f"{self.where}, {name} n°{i}") for i, item in enumerate(value, start=1)]


def _read_json(path: Path) -> _Record:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FixtureError(f"{path} : fichier introuvable.") from exc
    except json.JSONDecodeError as exc:
        raise FixtureError(f"{path} : JSON invalide ligne {exc.lineno}, colonne {exc.colno} ({exc.msg}).") from exc
    return _Record(data, path.name)


def _vocabulary(records: list[_Record]) -> dict[str, str]:
    """Map every spelling (label and variants) to the entry's slug."""
    spellings: dict[str, str] = {}
    for rec in records:
        slug = rec.slug("slug")
        for spelling in [rec.text("libelle"), *rec.texts("variantes", allow_empty=True)]:
            if spellings.setdefault(spelling, slug) != slug:
                raise rec.error("variantes", f"« {spelling} » appartient déjà à « {spellings[spelling]} ».")
    return spellings


@dataclass
class _ProjetData:
    rec: _Record
    values: dict
    region: str
    chef_de_file: str
    co_porteurs: list[str]
    thematiques: list[tuple[str, str]]
    types_territoire: list[tuple[str, str]]
    objectifs: list[str]
    impacts: list[str]
    allocations: dict[str, Decimal]


def _validate_projet(rec: _Record, *, regions: set[str], themes: dict, types: dict) -> _ProjetData:
    region = rec.text("region")
    if region not in regions:
        raise rec.error("region", f"code INSEE « {region} » absent du référentiel des régions.")
    chef = rec.record("chef_de_file")

    def mapped(name: str, vocabulary: dict[str, str]) -> list[tuple[str, str]]:
        labels = rec.texts(name)
        for label in labels:
            if label not in vocabulary:
                raise rec.error(name, f"libellé « {label} » absent du vocabulaire contrôlé.")
        if len({vocabulary[label] for label in labels}) != len(labels):
            raise rec.error(name, "deux libellés désignent la même entrée du vocabulaire.")
        return [(vocabulary[label], label) for label in labels]

    values = {
        "ordre": rec.integer("ordre", minimum=1),
        "titre": rec.text("titre"),
        "intitule_sommaire": rec.text("intitule_sommaire"),
        "page_dossier": rec.integer("page", minimum=1),
        "chef_de_file_libelle": chef.text("libelle"),
        "partenaires_libelle": rec.text("partenaires_libelle"),
        "nb_partenaires_declares": rec.integer("nb_partenaires_declares"),
        "nb_collectivites_declarees": rec.integer("nb_collectivites_declarees"),
        "population_libelle": rec.text("population_libelle"),
        "population_concernee": rec.integer("population_concernee"),
        "ambition": rec.text("ambition"),
        # The fiche's prose around its objectives list (blank for 22 fiches of 24): not an objective.
        "objectifs_introduction": rec.text("objectifs_introduction", blank=True),
        "objectifs_conclusion": rec.text("objectifs_conclusion", blank=True),
        "budget_previsionnel": rec.montant("budget_previsionnel", nullable=True),
    }
    if values["nb_collectivites_declarees"] > values["nb_partenaires_declares"]:
        raise rec.error("nb_collectivites_declarees", "plus de collectivités que de partenaires déclarés.")
    return _ProjetData(
        rec=rec,
        values=values,
        region=region,
        chef_de_file=chef.text("nom"),
        co_porteurs=rec.texts("co_porteurs", allow_empty=True),
        thematiques=mapped("thematiques", themes),
        types_territoire=mapped("types_territoire", types),
        objectifs=rec.texts("objectifs"),
        impacts=rec.texts("impacts_2030"),
        allocations={
            Enveloppe.Code.SUBVENTION: rec.montant("subvention_prevue"),
            Enveloppe.Code.INVESTISSEMENT: rec.montant("investissement_potentiel"),
        },
    )


# --- Writing ------------------------------------------------------------------


class _Writer:
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

    def ordered_texts(self, model: type[models.Model], projet: Projet, texts: list[str]) -> None:
        for ordre, texte in enumerate(texts, start=1):
            self.upsert(model, {"projet": projet, "ordre": ordre}, {"texte": texte})
        extra = model._default_manager.filter(projet=projet, ordre__gt=len(texts))
        removed, _ = extra.delete()
        if removed:
            self.rapport.modifies[model._meta.verbose_name_plural] += removed

    def vocabulary_links(self, model, projet: Projet, fk: str, entries: list[tuple[models.Model, str]]) -> None:
        """Replace a project's themes or types when they differ (the fiche's wording kept)."""
        wanted = [(entry.pk, label, ordre) for ordre, (entry, label) in enumerate(entries, start=1)]
        current = list(
            model._default_manager.filter(projet=projet)
            .order_by("ordre")
            .values_list(f"{fk}_id", "libelle_fiche", "ordre")
        )
        label = model._meta.verbose_name_plural
        if current == wanted:
            self.rapport.inchanges[label] += len(wanted)
            return
        model._default_manager.filter(projet=projet).delete()
        for ordre, (entry, libelle) in enumerate(entries, start=1):
            link = model(projet=projet, **{fk: entry}, libelle_fiche=libelle, ordre=ordre)
            link._change_reason = CHANGE_REASON
            link.save()
        self.rapport.modifies[label] += len(wanted)


def programme_load(
    *,
    referentiels_path: Path = FIXTURES_DIR / "referentiels.json",
    laureats_path: Path = FIXTURES_DIR / "laureats.json",
    indicateurs_path: Path = FIXTURES_DIR / "indicateurs.json",
) -> Rapport:
    """Validate the fixture files whole, then write them in one transaction."""
    ref = _read_json(referentiels_path)
    laur = _read_json(laureats_path)

    region_recs = ref.records("regions")
    regions = {rec.text("code") for rec in region_recs}
    themes = _vocabulary(ref.records("thematiques"))
    types = _vocabulary(ref.records("types_territoire"))
    natures = {rec.text("nom"): rec.text("nature") for rec in ref.records("organisations")}
    projets = [
        _validate_projet(rec, regions=regions, themes=themes, types=types)
        for rec in (
            _Record(r.data, f"{laur.where}, projet n°{i} « {r.data.get('slug', '?')} »")
            for i, r in enumerate(laur.records("projets"), start=1)
        )
    ]
    slugs = [p.rec.slug("slug") for p in projets]
    if len(set(slugs)) != len(slugs):
        raise FixtureError(f"{laur.where} : identifiants de projet en double.")
    for p in projets:
        for nom in [p.chef_de_file, *p.co_porteurs]:
            if nom not in natures:
                raise p.rec.error("chef_de_file", f"organisation « {nom} » absente du référentiel des organisations.")

    writer = _Writer()
    with transaction.atomic():
        _refuse_write_errors(ref.where, _write_referentiels, writer, ref, natures)
        for p in projets:
            _refuse_write_errors(p.rec.where, _write_projet, writer, p)
        # Imported here: indicateurs.chargement builds on this module's helpers.
        from indicateurs.chargement import indicateurs_load

        indicateurs_load(writer=writer, projets=slugs, path=indicateurs_path)
    return writer.rapport


def _refuse_write_errors(where: str, write, *args) -> None:
    """A record the database refuses aborts the whole transaction, naming the record."""
    try:
        write(*args)
    except ValidationError as exc:
        details = "; ".join(f"champ « {f} » : {' '.join(m)}" for f, m in exc.message_dict.items())
        raise FixtureError(f"{where}, {details} Rien n'a été enregistré.") from exc
    except IntegrityError as exc:
        raise FixtureError(f"{where} : refusé par la base ({exc}). Rien n'a été enregistré.") from exc


def _write_referentiels(writer: _Writer, ref: _Record, natures: dict[str, str]) -> None:
    regions = {}
    for rec in ref.records("regions"):
        region = writer.upsert(
            Region, {"code": rec.text("code")}, {"nom": rec.text("nom"), "nature": rec.text("nature")}
        )
        regions[region.code] = region
    for rec in ref.records("directions_regionales"):
        direction = writer.upsert(DirectionRegionale, {"slug": rec.slug("slug")}, {"nom": rec.text("nom")})
        wanted = {regions[code].pk for code in rec.texts("regions")}
        if set(direction.regions.values_list("pk", flat=True)) != wanted:
            direction.regions.set(wanted)
    for rec in ref.records("enveloppes"):
        writer.upsert(
            Enveloppe,
            {"code": rec.text("code")},
            {
                "libelle": rec.text("libelle"),
                "plafond": rec.montant("plafond"),
                "plafonne_par_projet": rec.boolean("plafonne_par_projet"),
            },
        )
    for rec in ref.records("thematiques"):
        writer.upsert(
            Thematique,
            {"slug": rec.slug("slug")},
            {"libelle": rec.text("libelle"), "variantes": rec.texts("variantes", allow_empty=True)},
        )
    for rec in ref.records("types_territoire"):
        writer.upsert(
            TypeTerritoire,
            {"slug": rec.slug("slug")},
            {
                "libelle": rec.text("libelle"),
                "variantes": rec.texts("variantes", allow_empty=True),
                "categorie": rec.text("categorie", blank=True),
            },
        )
    for rec in ref.records("labels"):
        writer.upsert(
            Label, {"slug": rec.slug("slug")}, {"nom": rec.text("nom"), "description": rec.text("description")}
        )
    for nom, nature in natures.items():
        writer.upsert(Organisation, {"slug": slugify(nom)[:120]}, {"nom": nom, "nature": nature})


def _write_projet(writer: _Writer, p: _ProjetData) -> None:
    chef = Organisation.objects.get(slug=slugify(p.chef_de_file)[:120])
    projet = writer.upsert(
        Projet,
        {"slug": p.rec.slug("slug")},
        {**p.values, "region": Region.objects.get(code=p.region), "chef_de_file": chef},
    )
    writer.upsert(Partenariat, {"projet": projet, "organisation": chef}, {"role": Partenariat.Role.CHEF_DE_FILE})
    for nom in p.co_porteurs:
        organisation = Organisation.objects.get(slug=slugify(nom)[:120])
        writer.upsert(
            Partenariat, {"projet": projet, "organisation": organisation}, {"role": Partenariat.Role.CO_PORTEUR}
        )
    writer.vocabulary_links(
        ProjetThematique,
        projet,
        "thematique",
        [(Thematique.objects.get(slug=slug), label) for slug, label in p.thematiques],
    )
    writer.vocabulary_links(
        ProjetTypeTerritoire,
        projet,
        "type_territoire",
        [(TypeTerritoire.objects.get(slug=slug), label) for slug, label in p.types_territoire],
    )
    writer.ordered_texts(Objectif, projet, p.objectifs)
    writer.ordered_texts(Impact, projet, p.impacts)
    for code, montant in p.allocations.items():
        enveloppe = Enveloppe.objects.get(code=code)
        writer.upsert(
            Allocation,
            {"projet": projet, "enveloppe": enveloppe},
            {"montant": montant, "plafonnee": enveloppe.plafonne_par_projet},
        )
