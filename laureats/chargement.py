"""Load the 24 laureates from fixtures/laureats.json: projects, organisations, partnerships,
themes and territory types as the fiche words them, objectives and 2030 impacts.

The organisations' natures come from fixtures/referentiels.json. The records are
read with config.chargement's toolkit; portail.chargement.programme_load
validates every file before it writes, then calls the writes app by app in one
transaction.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.text import slugify

from config.chargement import CHANGE_REASON, FixtureError, Record, Writer
from laureats.models import (
    Impact,
    Objectif,
    Organisation,
    Partenariat,
    Projet,
    ProjetThematique,
    ProjetTypeTerritoire,
)
from territoires.chargement import Referentiels
from territoires.models import Region, Thematique, TypeTerritoire

# --- Validation ---------------------------------------------------------------


def organisations_validate(ref: Record) -> dict[str, str]:
    """Each organisation of the referential, by name: its nature."""
    return {rec.text("nom"): rec.text("nature") for rec in ref.records("organisations")}


def projet_records(laur: Record) -> list[Record]:
    """The fiches of laureats.json, each named by its rank and slug in the errors."""
    return [
        Record(r.data, f"{laur.where}, projet n°{i} « {r.data.get('slug', '?')} »")
        for i, r in enumerate(laur.records("projets"), start=1)
    ]


@dataclass
class ProjetData:
    rec: Record
    values: dict
    region: str
    chef_de_file: str
    co_porteurs: list[str]
    thematiques: list[tuple[str, str]]
    types_territoire: list[tuple[str, str]]
    objectifs: list[str]
    impacts: list[str]


def projet_validate(rec: Record, *, referentiels: Referentiels) -> ProjetData:
    region = rec.text("region")
    if region not in referentiels.regions:
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
    return ProjetData(
        rec=rec,
        values=values,
        region=region,
        chef_de_file=chef.text("nom"),
        co_porteurs=rec.texts("co_porteurs", allow_empty=True),
        thematiques=mapped("thematiques", referentiels.thematiques),
        types_territoire=mapped("types_territoire", referentiels.types_territoire),
        objectifs=rec.texts("objectifs"),
        impacts=rec.texts("impacts_2030"),
    )


def projets_validate(laur: Record, projets: list[ProjetData], *, organisations: dict[str, str]) -> list[str]:
    """What holds across the fiches: unique slugs, organisations of the referential; returns the slugs."""
    slugs = [p.rec.slug("slug") for p in projets]
    if len(set(slugs)) != len(slugs):
        raise FixtureError(f"{laur.where} : identifiants de projet en double.")
    for p in projets:
        for nom in [p.chef_de_file, *p.co_porteurs]:
            if nom not in organisations:
                raise p.rec.error("chef_de_file", f"organisation « {nom} » absente du référentiel des organisations.")
    return slugs


# --- Writing ------------------------------------------------------------------


def _ordered_texts(writer: Writer, model: type[models.Model], projet: Projet, texts: list[str]) -> None:
    for ordre, texte in enumerate(texts, start=1):
        writer.upsert(model, {"projet": projet, "ordre": ordre}, {"texte": texte})
    extra = model._default_manager.filter(projet=projet, ordre__gt=len(texts))
    removed, _ = extra.delete()
    if removed:
        writer.rapport.modifies[model._meta.verbose_name_plural] += removed


def _vocabulary_links(writer: Writer, model, projet: Projet, fk: str, entries: list[tuple[models.Model, str]]) -> None:
    """Replace a project's themes or types when they differ (the fiche's wording kept)."""
    wanted = [(entry.pk, label, ordre) for ordre, (entry, label) in enumerate(entries, start=1)]
    current = list(
        model._default_manager.filter(projet=projet).order_by("ordre").values_list(f"{fk}_id", "libelle_fiche", "ordre")
    )
    label = model._meta.verbose_name_plural
    if current == wanted:
        writer.rapport.inchanges[label] += len(wanted)
        return
    model._default_manager.filter(projet=projet).delete()
    for ordre, (entry, libelle) in enumerate(entries, start=1):
        link = model(projet=projet, **{fk: entry}, libelle_fiche=libelle, ordre=ordre)
        link._change_reason = CHANGE_REASON
        link.save()
    writer.rapport.modifies[label] += len(wanted)


def organisations_write(writer: Writer, organisations: dict[str, str]) -> None:
    for nom, nature in organisations.items():
        writer.upsert(Organisation, {"slug": slugify(nom)[:120]}, {"nom": nom, "nature": nature})


def projet_write(writer: Writer, p: ProjetData) -> Projet:
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
    _vocabulary_links(
        writer,
        ProjetThematique,
        projet,
        "thematique",
        [(Thematique.objects.get(slug=slug), label) for slug, label in p.thematiques],
    )
    _vocabulary_links(
        writer,
        ProjetTypeTerritoire,
        projet,
        "type_territoire",
        [(TypeTerritoire.objects.get(slug=slug), label) for slug, label in p.types_territoire],
    )
    _ordered_texts(writer, Objectif, projet, p.objectifs)
    _ordered_texts(writer, Impact, projet, p.impacts)
    return projet
