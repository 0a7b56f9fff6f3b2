"""Load the programme's referentials from fixtures/referentiels.json: regions, regional directions,
themes, territory types and labels (the controlled vocabularies the fiches are read against).
"""

from dataclasses import dataclass

from config.chargement import Record, Writer
from territoires.models import DirectionRegionale, Label, Region, Thematique, TypeTerritoire


@dataclass
class Referentiels:
    """What the fiches are validated against: region codes, and each vocabulary's spellings to its slug."""

    regions: set[str]
    thematiques: dict[str, str]
    types_territoire: dict[str, str]


def _vocabulary(records: list[Record]) -> dict[str, str]:
    """Map every spelling (label and variants) to the entry's slug."""
    spellings: dict[str, str] = {}
    for rec in records:
        slug = rec.slug("slug")
        for spelling in [rec.text("libelle"), *rec.texts("variantes", allow_empty=True)]:
            if spellings.setdefault(spelling, slug) != slug:
                raise rec.error("variantes", f"« {spelling} » appartient déjà à « {spellings[spelling]} ».")
    return spellings


def referentiels_validate(ref: Record) -> Referentiels:
    """Read what the fiches refer to, refusing a spelling claimed by two entries."""
    return Referentiels(
        regions={rec.text("code") for rec in ref.records("regions")},
        thematiques=_vocabulary(ref.records("thematiques")),
        types_territoire=_vocabulary(ref.records("types_territoire")),
    )


def referentiels_write(writer: Writer, ref: Record) -> None:
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
