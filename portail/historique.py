"""Reads of django-simple-history: who changed what in a project's record, and when.

A page shows records of several tracked models at once (the fiche, partners,
objectives, impacts, allocations, ledger entries, indicators). Each model's
records come in one query; each update is compared with the record before it
in Python (simple_history's diff_against, which needs no query when foreign
keys stay ids), and the names behind those ids are fetched once per related
model. So the number of queries depends on the number of tracked models, never
on the number of records.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery

from comptes.affichage import auteur_pour
from config.chargement import CHANGE_REASON as MOTIF_CHARGEMENT
from financements.models import Allocation, Engagement, Versement
from indicateurs.models import Indicateur, Mesure
from laureats.models import Impact, Objectif, Partenariat, Projet, ProjetThematique, ProjetTypeTerritoire
from laureats.templatetags.montants import euros, nombre

ACTIONS = {"+": "Création", "~": "Modification", "-": "Suppression"}


@dataclass
class Champ:
    libelle: str
    avant: Any
    apres: Any


@dataclass
class Changement:
    """One history record, ready to show."""

    date: datetime.datetime
    type: str  # "+", "~" or "-", as simple_history writes it
    objet: str  # what was changed, in words: "Objectif n° 3", "Partenaire : Ville de Dijon"
    categorie: str
    auteur: str | None
    motif: str
    projet_id: int | None
    champs: list[Champ] = field(default_factory=list)
    projet_slug: str = ""
    projet_titre: str = ""

    @property
    def action(self) -> str:
        return ACTIONS.get(self.type, self.type)


@dataclass(frozen=True)
class Source:
    """A tracked model, how its records reach their project, and how one is named."""

    model: type[models.Model]
    categorie: str
    # Expression giving the project's id on the history table.
    projet: Any
    # Filter on the history table for one project's records.
    filtre_projet: Any
    public: bool = True


def _sources(projet_id=None) -> list[Source]:
    impacts = Impact.objects.filter(projet_id=projet_id).values("id")
    engagements = Engagement.objects.filter(projet_id=projet_id).values("id")
    indicateurs = Indicateur.objects.filter(impact__projet_id=projet_id).values("id")

    def via(model, lien: str, chemin: str):
        return Subquery(model.objects.filter(pk=OuterRef(lien)).values(chemin)[:1])

    return [
        Source(Projet, "Fiche du projet", F("id"), Q(id=projet_id)),
        Source(ProjetThematique, "Thématique", F("projet_id"), Q(projet_id=projet_id)),
        Source(ProjetTypeTerritoire, "Type de territoire", F("projet_id"), Q(projet_id=projet_id)),
        Source(Partenariat, "Partenaire", F("projet_id"), Q(projet_id=projet_id)),
        Source(Objectif, "Objectif", F("projet_id"), Q(projet_id=projet_id)),
        Source(Impact, "Impact 2030", F("projet_id"), Q(projet_id=projet_id)),
        Source(Allocation, "Allocation", F("projet_id"), Q(projet_id=projet_id)),
        Source(Indicateur, "Indicateur", via(Impact, "impact_id", "projet_id"), Q(impact_id__in=impacts)),
        Source(
            Mesure,
            "Mesure",
            via(Indicateur, "indicateur_id", "impact__projet_id"),
            Q(indicateur_id__in=indicateurs),
            public=False,
        ),
        Source(Engagement, "Grand livre", F("projet_id"), Q(projet_id=projet_id), public=False),
        Source(
            Versement,
            "Grand livre",
            via(Engagement, "engagement_id", "projet_id"),
            Q(engagement_id__in=engagements),
            public=False,
        ),
    ]


CATEGORIES = {s.model: s.categorie for s in _sources()}


def _history(source: Source):
    # The user's profile: an author is named by role where no full name is set (comptes.affichage).
    return source.model.history.select_related("history_user__profil").annotate(projet_ref=source.projet)


def projet_historique(projet: Projet, *, lecteur=None) -> list[Changement]:
    """Every change of a project and of its related records, newest first; authors as `lecteur` may see them."""
    records = {s.model: list(_history(s).filter(s.filtre_projet)) for s in _sources(projet.pk)}
    changements = _changements(records, precedents={}, lecteur=lecteur)
    for c in changements:
        c.projet_slug, c.projet_titre = projet.slug, projet.titre
    return changements


def dernieres_modifications(*, limite: int = 10, avec_grand_livre: bool = False, lecteur=None) -> list[Changement]:
    """The latest changes across all projects (the press kit's initial load left out).

    `avec_grand_livre`: also ledger entries and measurements, which only officers
    and directors may see.
    """
    sources = [s for s in _sources() if s.public or avec_grand_livre]
    hors_chargement = ~Q(history_type="+", history_change_reason=MOTIF_CHARGEMENT)
    records, precedents = {}, {}
    for s in sources:
        H = s.model.history.model
        precedent = H.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        records[s.model] = list(
            _history(s)
            .filter(hors_chargement)
            .annotate(precedent_id=Subquery(precedent.order_by("-history_date").values("history_id")[:1]))
            .order_by("-history_date", "-history_id")[:limite]
        )
        ids = [r.precedent_id for r in records[s.model] if r.history_type == "~" and r.precedent_id]
        if ids:
            precedents.update({(s.model, p.history_id): p for p in H.objects.filter(history_id__in=ids)})
    changements = _changements(records, precedents=precedents, lecteur=lecteur)[:limite]
    projets = Projet.objects.filter(pk__in={c.projet_id for c in changements})
    titres = {pk: (slug, titre) for pk, slug, titre in projets.values_list("pk", "slug", "titre")}
    for c in changements:
        c.projet_slug, c.projet_titre = titres.get(c.projet_id, ("", "projet supprimé"))
    return changements


# Fields shown in a record's name, per model (their ids are resolved with the diffs).
NOMMANTS = {
    Partenariat: "organisation",
    Allocation: "enveloppe",
    ProjetThematique: "thematique",
    ProjetTypeTerritoire: "type_territoire",
    Engagement: "enveloppe",
}
# Ledger entries and measurements name their author: used when the record has no history user
# (an entry written outside a request, by a script or a task).
AUTEURS = {Engagement: "auteur", Versement: "auteur", Mesure: "auteur"}
# Fields never worth showing in a diff: bookkeeping the user never typed.
IGNORES = {"id", "uid", "slug"}


def _changements(records: dict, *, precedents: dict, lecteur) -> list[Changement]:
    """Turn history records into Changements, diffs included, newest first."""
    # Each record's predecessor: the previous record of the same object, from the
    # fetched records themselves or from `precedents` (keyed by model and history_id).
    lignes = []
    for model, recs in records.items():
        par_objet = defaultdict(list)
        for r in recs:
            par_objet[r.id].append(r)
        for versions in par_objet.values():
            versions.sort(key=lambda r: (r.history_date, r.history_id))
            for i, r in enumerate(versions):
                avant = versions[i - 1] if i else precedents.get((model, getattr(r, "precedent_id", None)))
                delta = r.diff_against(avant).changes if (r.history_type == "~" and avant is not None) else []
                lignes.append((model, r, [c for c in delta if c.field not in IGNORES]))

    # One query per related model for the names behind foreign-key ids.
    a_nommer: dict[type[models.Model], set] = defaultdict(set)
    for model, r, delta in lignes:
        for nom in [NOMMANTS.get(model), AUTEURS.get(model)] + [c.field for c in delta]:
            if nom and _fk(model, nom):
                a_nommer[_fk(model, nom)] |= {getattr(r, f"{nom}_id")} | {
                    v for c in delta if c.field == nom for v in (c.old, c.new)
                }
    noms = {m: _noms(m, {i for i in ids if i}, lecteur) for m, ids in a_nommer.items()}

    changements = []
    for model, r, delta in lignes:
        champs = [
            Champ(_libelle(model, c.field), _valeur(model, c.field, c.old, noms), _valeur(model, c.field, c.new, noms))
            for c in delta
        ]
        changements.append(
            Changement(
                date=r.history_date,
                type=r.history_type,
                objet=_objet(model, r, noms),
                categorie=_categorie(model),
                auteur=_auteur(model, r, noms, lecteur),
                motif=r.history_change_reason or "",
                projet_id=r.projet_ref,
                champs=champs,
            )
        )
    changements.sort(key=lambda c: c.date, reverse=True)
    return changements


def _noms(model, ids: set, lecteur) -> dict:
    """The names behind ids of one model; users (authors, deciders) as `lecteur` may see them."""
    if model is get_user_model():
        return {
            pk: auteur_pour(o, lecteur)
            for pk, o in model._default_manager.select_related("profil").in_bulk(ids).items()
        }
    return {pk: str(o) for pk, o in model._default_manager.in_bulk(ids).items()}


def _auteur(model, r, noms: dict, lecteur) -> str | None:
    if r.history_user:
        return auteur_pour(r.history_user, lecteur)
    champ = AUTEURS.get(model)
    return noms.get(_fk(model, champ), {}).get(getattr(r, f"{champ}_id")) if champ else None


def _categorie(model) -> str:
    return CATEGORIES[model]


def _fk(model, nom: str):
    try:
        f = model._meta.get_field(nom)
    except models.FieldDoesNotExist:
        return None
    return f.related_model if isinstance(f, models.ForeignKey) else None


def _libelle(model, nom: str) -> str:
    return str(model._meta.get_field(nom).verbose_name)


def _valeur(model, nom: str, valeur, noms: dict):
    if valeur is None or valeur == "":
        return "—"
    f = model._meta.get_field(nom)
    if isinstance(f, models.ForeignKey):
        return noms.get(f.related_model, {}).get(valeur, f"n° {valeur} (supprimé)")
    if f.choices:
        return dict(f.flatchoices).get(valeur, valeur)
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, Decimal):
        # Amounts are euros; indicator values are plain numbers.
        return euros(valeur) if "€" in str(f.verbose_name) else f"{valeur.normalize():f}".replace(".", ",")
    if isinstance(valeur, int):
        return nombre(valeur)
    if isinstance(valeur, datetime.date):
        return f"{valeur:%d/%m/%Y}"
    return valeur


def _objet(model, r, noms: dict) -> str:
    """The record's name within its category ("n° 3 : Réduire…", "Ville de Dijon")."""

    def nom(champ: str) -> str:
        return noms.get(_fk(model, champ), {}).get(getattr(r, f"{champ}_id"), "?")

    if model is Partenariat:
        return nom("organisation")
    if model in (Objectif, Impact):
        return f"n° {r.ordre} : {_court(r.texte)}"
    if model is Allocation:
        return nom("enveloppe")
    if model in (ProjetThematique, ProjetTypeTerritoire):
        return r.libelle_fiche
    if model is Engagement:
        return f"{r.get_nature_display()} {r.reference} ({nom('enveloppe')})"
    if model is Versement:
        return f"{r.get_nature_display()} {r.reference}"
    if model is Indicateur:
        return r.libelle
    if model is Mesure:
        return f"du {r.date:%d/%m/%Y}"
    return ""


def _court(texte: str, n: int = 70) -> str:
    return texte if len(texte) <= n else texte[: n - 1].rstrip() + "…"
