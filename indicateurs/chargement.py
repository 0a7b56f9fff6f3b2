"""Load fixtures/indicateurs.json: the reviewed structured targets of the 2030 impacts.

Called at the end of portail.chargement.programme_load(), inside its
transaction and after the impacts are written, with the same rules: the whole
file is validated before any indicator is written (an error names the entry
and the field, and rolls back the whole load), and only rows whose values
differ are written, so a second run changes nothing.

Every impact of the loaded projects is covered exactly once: by one or more
indicators, or as qualitative. An indicator's `extrait` must be found verbatim
in its impact's text, which ties each structured target to the words of the
fiche it was read from. Indicators absent from the file are left alone: a
programme officer may define more in the admin.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from config.chargement import FIXTURES_DIR, FixtureError, Record, Writer, read_json, refuse_write_errors
from indicateurs import services
from indicateurs.models import ImpactQualitatif, Indicateur
from laureats.models import Impact

VALEUR_RE = re.compile(r"^-?[0-9]{1,14}(?:\.[0-9]{1,4})?$")


@dataclass
class _IndicateurData:
    rec: Record
    code: str
    impact_pk: int
    values: dict


def _decimal(rec: Record, name: str, *, nullable: bool = False) -> Decimal | None:
    value = rec.data.get(name, ...)
    if value is ...:
        raise rec.error(name, "champ manquant.")
    if value is None and nullable:
        return None
    # Values are decimal strings ("8.2"), never floats, as the file's conventions say.
    if not isinstance(value, str) or not VALEUR_RE.match(value):
        raise rec.error(name, f'nombre décimal attendu sous la forme "8.2" (quatre décimales au plus), reçu {value!r}.')
    return Decimal(value)


def _date(rec: Record, name: str, *, nullable: bool = False) -> datetime.date | None:
    value = rec.data.get(name, ...)
    if value is ...:
        raise rec.error(name, "champ manquant.")
    if value is None and nullable:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise rec.error(name, f"date AAAA-MM-JJ attendue, reçu {value!r}.") from exc


def _choice(rec: Record, name: str, choices: list[str]) -> str:
    value = rec.text(name)
    if value not in choices:
        raise rec.error(name, f"« {value} » n'est pas une valeur possible ({', '.join(choices)}).")
    return value


def _impact(rec: Record, impacts: dict[tuple[str, int], tuple[int, str]], projets: set[str]) -> tuple[int, str]:
    slug = rec.text("projet")
    if slug not in projets:
        raise rec.error("projet", f"projet « {slug} » absent de laureats.json.")
    ordre = rec.integer("impact", minimum=1)
    if (slug, ordre) not in impacts:
        nombre = sum(1 for s, _ in impacts if s == slug)
        raise rec.error("impact", f"la fiche « {slug} » n'a que {nombre} impact(s) à horizon 2030.")
    return impacts[(slug, ordre)]


def _validate_indicateur(rec: Record, impacts: dict, projets: set[str]) -> _IndicateurData:
    impact_pk, texte = _impact(rec, impacts, projets)
    extrait = rec.text("extrait")
    if extrait not in texte:
        raise rec.error("extrait", f"« {extrait} » n'est pas un passage du texte de l'impact : « {texte} ».")
    values = {
        "impact_id": impact_pk,
        "extrait": extrait,
        "libelle": rec.text("libelle"),
        "unite": rec.text("unite"),
        "sens": _choice(rec, "sens", Indicateur.Sens.values),
        "mode": _choice(rec, "mode", Indicateur.Mode.values),
        "valeur_reference": _decimal(rec, "valeur_reference", nullable=True),
        "date_reference": _date(rec, "date_reference", nullable=True),
        "valeur_cible": _decimal(rec, "valeur_cible"),
        "echeance": _date(rec, "echeance"),
        "note": rec.text("note", blank=True),
    }
    reference, cible = values["valeur_reference"], values["valeur_cible"]
    if values["mode"] == Indicateur.Mode.RELATIF and reference != 0:
        raise rec.error("valeur_reference", "un indicateur relatif mesure l'évolution depuis la référence : 0 attendu.")
    if reference is not None and values["sens"] == Indicateur.Sens.HAUSSE and not cible > reference:
        raise rec.error("valeur_cible", f"une hausse vise plus que la référence ({reference}), reçu {cible}.")
    if reference is not None and values["sens"] == Indicateur.Sens.BAISSE and not cible < reference:
        raise rec.error("valeur_cible", f"une baisse vise moins que la référence ({reference}), reçu {cible}.")
    if values["date_reference"] and values["date_reference"] >= values["echeance"]:
        raise rec.error("date_reference", "la référence doit précéder l'échéance.")
    return _IndicateurData(rec=rec, code=rec.slug("code"), impact_pk=impact_pk, values=values)


def indicateurs_load(*, writer: Writer, projets: list[str], path: Path = FIXTURES_DIR / "indicateurs.json") -> None:
    """Validate the indicators file against the impacts just written, then upsert what differs."""
    data = read_json(path)
    slugs = set(projets)
    impacts = {
        (slug, ordre): (pk, texte)
        for slug, ordre, pk, texte in Impact.objects.filter(projet__slug__in=slugs).values_list(
            "projet__slug", "ordre", "pk", "texte"
        )
    }
    entries = [
        _validate_indicateur(
            Record(r.data, f"{data.where}, indicateur n°{i} « {r.data.get('code', '?')} »"), impacts, slugs
        )
        for i, r in enumerate(data.records("indicateurs"), start=1)
    ]
    codes = [entry.code for entry in entries]
    doublons = sorted({code for code in codes if codes.count(code) > 1})
    if doublons:
        raise FixtureError(f"{data.where} : code(s) d'indicateur en double : {', '.join(doublons)}.")
    quantifies = {entry.impact_pk for entry in entries}

    qualitatifs: dict[int, tuple[Record, str]] = {}
    for rec in data.records("qualitatifs"):
        impact_pk, _ = _impact(rec, impacts, slugs)
        if impact_pk in quantifies:
            raise rec.error("impact", "cet impact a déjà des indicateurs : il ne peut être aussi qualitatif.")
        if impact_pk in qualitatifs:
            raise rec.error("impact", "cet impact est déjà déclaré qualitatif.")
        qualitatifs[impact_pk] = (rec, rec.text("raison"))

    oublies = [key for key, (pk, _) in sorted(impacts.items()) if pk not in quantifies and pk not in qualitatifs]
    if oublies:
        liste = ", ".join(f"« {slug} » impact n°{ordre}" for slug, ordre in oublies)
        raise FixtureError(f"{data.where} : impact(s) ni chiffré(s) ni déclaré(s) qualitatif(s) : {liste}.")

    for entry in entries:
        refuse_write_errors(entry.rec.where, writer.upsert, Indicateur, {"code": entry.code}, entry.values)
    # Their reporting periods follow at once: partners see what is due from the first load.
    services.periodes_sync(indicateurs=Indicateur.objects.filter(code__in=codes))
    for impact_pk, (rec, raison) in qualitatifs.items():
        refuse_write_errors(rec.where, writer.upsert, ImpactQualitatif, {"impact_id": impact_pk}, {"raison": raison})
    # An impact that became quantified is no longer qualitative.
    retires, _ = ImpactQualitatif.objects.filter(impact_id__in=quantifies).delete()
    if retires:
        writer.rapport.modifies[ImpactQualitatif._meta.verbose_name_plural] += retires
