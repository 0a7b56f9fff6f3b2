from types import SimpleNamespace

import orjson
from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from config.recherche import contient
from laureats.models import (
    Etablissement,
    Impact,
    Objectif,
    Organisation,
    Partenariat,
    Projet,
    ProjetThematique,
    ProjetTypeTerritoire,
)


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.annotate(nb_projets=Count("partenariats__projet", distinct=True)).prefetch_related(
        Prefetch("etablissements", queryset=Etablissement.objects.only("organisation_id", "siret", "libelle"))
    )


def organisations_a_completer() -> QuerySet[Organisation]:
    """Organisations taking part in a project (lead or partner) that the open data cannot name yet.

    A published subsidy names its beneficiary by a SIRET (with the organisation's SIREN)
    or, for an association, by its RNA number: one of the two must be entered.
    Each organisation comes with the projects it takes part in (`projets_lies`, by title).
    """
    participe = Exists(Partenariat.objects.filter(organisation=OuterRef("pk"))) | Exists(
        Projet.objects.filter(chef_de_file=OuterRef("pk"))
    )
    a_un_siret = Exists(Etablissement.objects.filter(organisation=OuterRef("pk")))
    projets = Projet.objects.only("slug", "titre", "chef_de_file_id").order_by("titre")
    return (
        Organisation.objects.filter(participe, rna="")
        .filter(Q(siren="") | ~a_un_siret)
        .annotate(a_un_siret=a_un_siret)
        .prefetch_related(
            Prefetch("projets_portes", queryset=projets, to_attr="projets_chef_de_file"),
            Prefetch(
                "partenariats",
                queryset=Partenariat.objects.select_related("projet").only(
                    "organisation_id", "role", "projet__slug", "projet__titre"
                ),
                to_attr="partenariats_liste",
            ),
        )
        .order_by("nom")
    )


def projets_sans_cycle_de_vie() -> QuerySet[Projet]:
    """Projects whose start date is not entered yet: their status alone does not say where they stand."""
    return Projet.objects.filter(date_debut__isnull=True).select_related("region").order_by("ordre", "titre")


def projet_search(projets: QuerySet[Projet], texte: str) -> QuerySet[Projet]:
    """Every word in the title, the lead's name or the ambition, accents aside, as the API's `search` does."""
    for mot in texte.replace(",", " ").split():
        trouve = contient("titre", mot) | contient("chef_de_file__nom", mot) | contient("ambition", mot)
        projets = projets.filter(trouve)
    return projets


def _vocabulaire(lien: type[models.Model], cle: str) -> RawSQL:
    """A project's entries of one vocabulary as a JSON list (text), in the fiche's order (null for none).

    Written in SQL: the same subquery through the ORM (Subquery, JSONBAgg, JSONObject) took the
    ORM longer to build and compile than the database to run the whole page.
    """
    vocabulaire = lien._meta.get_field(cle).related_model._meta.db_table
    entrees = f"""{lien._meta.db_table} l JOIN {vocabulaire} v ON v.id = l.{cle}_id
                  WHERE l.projet_id = {Projet._meta.db_table}.id"""
    if connection.vendor == "sqlite":  # the development server: no ORDER BY inside an aggregate before 3.44
        sql = f"""(SELECT json_group_array(json_object('libelle_fiche', x.libelle_fiche, 'slug', x.slug,
                                                       'libelle', x.libelle))
                   FROM (SELECT l.libelle_fiche, v.slug, v.libelle FROM {entrees} ORDER BY l.ordre) x)"""  # noqa: S608
    else:
        sql = f"""(SELECT json_agg(json_build_object('libelle_fiche', l.libelle_fiche, 'slug', v.slug,
                                                     'libelle', v.libelle) ORDER BY l.ordre)::text
                   FROM {entrees})"""  # noqa: S608
    return RawSQL(  # noqa: S611 - no parameter, table and column names from the models
        sql,
        (),
        # Text, decoded by orjson (vocabulaires_lus): psycopg2's json.loads costs more than the rest of the row.
        output_field=models.TextField(),
    )


def projets_avec_vocabulaires(projets: QuerySet[Projet]) -> QuerySet[Projet]:
    """`projets` with each one's themes and territory types (as `for_list()` prefetches them) in
    two JSON columns of the same query: what the API's fast read path reads with `.values()`."""
    return projets.annotate(
        vocabulaire_thematiques=_vocabulaire(ProjetThematique, "thematique"),
        vocabulaire_types_territoire=_vocabulaire(ProjetTypeTerritoire, "type_territoire"),
    )


def vocabulaires_lus(rangee: dict) -> SimpleNamespace:
    """A row of `projets_avec_vocabulaires(...).values(...)` as the list serializer's vocabulary
    methods read a project (`thematiques_liste`, `types_territoire_liste`)."""

    def liens(colonne: str, cle: str) -> list[SimpleNamespace]:
        return [
            SimpleNamespace(
                libelle_fiche=e["libelle_fiche"], **{cle: SimpleNamespace(slug=e["slug"], libelle=e["libelle"])}
            )
            for e in orjson.loads(rangee[colonne] or "[]")
        ]

    return SimpleNamespace(
        thematiques_liste=liens("vocabulaire_thematiques", "thematique"),
        types_territoire_liste=liens("vocabulaire_types_territoire", "type_territoire"),
    )


def _liste_json(select: str, depuis: str, ordre: str) -> RawSQL:
    """A project's nested rows as a JSON list (text, null for none), from SQL written here (see _vocabulaire)."""
    return RawSQL(  # noqa: S611 - no parameter, table and column names from the models
        f"(SELECT json_agg({select} ORDER BY {ordre})::text FROM {depuis})",  # noqa: S608
        (),
        output_field=models.TextField(),
    )


def projets_avec_fiche(projets: QuerySet[Projet]) -> QuerySet[Projet]:
    """`projets_avec_vocabulaires(projets)` plus what a project's record nests (objectives, impacts,
    partnerships, labels), each a JSON column of the same query: the detail read in one query.

    The partnerships' keys are the columns the fast read path reads for PartenariatSerializer
    (config.lecture_rapide: `organisation` for the nested object's id, `organisation__slug`...),
    in the order the record's prefetch gives them (role, then the organisation's name); the labels
    are their names, in Label's order.
    """
    projet = f"{Projet._meta.db_table}.id"
    labels = Projet.labels.through._meta.db_table
    label = Projet.labels.field.related_model._meta.db_table
    organisation = Organisation._meta.db_table
    return projets_avec_vocabulaires(projets).annotate(
        fiche_objectifs=_liste_json("t.texte", f"{Objectif._meta.db_table} t WHERE t.projet_id = {projet}", "t.ordre"),
        fiche_impacts=_liste_json("t.texte", f"{Impact._meta.db_table} t WHERE t.projet_id = {projet}", "t.ordre"),
        fiche_partenariats=_liste_json(
            "json_build_object('organisation', o.id, 'organisation__slug', o.slug, 'organisation__nom', o.nom, "
            "'organisation__siren', o.siren, 'organisation__nature', o.nature, 'role', p.role)",
            f"{Partenariat._meta.db_table} p JOIN {organisation} o ON o.id = p.organisation_id "
            f"WHERE p.projet_id = {projet}",
            "p.role, o.nom",
        ),
        fiche_labels=_liste_json(
            "l.nom", f"{labels} pl JOIN {label} l ON l.id = pl.label_id WHERE pl.projet_id = {projet}", "l.nom"
        ),
    )


# The fiche's nested lists read by the fast path (field -> column of projets_avec_fiche).
FICHE_LISTES = {"partenariats": "fiche_partenariats", "labels": "fiche_labels"}
FICHE_COLONNES = ["vocabulaire_thematiques", "vocabulaire_types_territoire", "fiche_objectifs", "fiche_impacts"]


class _Textes:
    """What `projet.objectifs.all()` gives the detail serializer's methods: texts in the fiche's order."""

    def __init__(self, colonne: str | None):
        self.textes = [SimpleNamespace(texte=t) for t in orjson.loads(colonne or "[]")]

    def all(self) -> list[SimpleNamespace]:
        return self.textes


def fiche_lue(rangee: dict) -> SimpleNamespace:
    """A row of `projets_avec_fiche(...).values(...)` as the detail serializer's methods read a project."""
    projet = vocabulaires_lus(rangee)
    projet.objectifs = _Textes(rangee["fiche_objectifs"])
    projet.impacts = _Textes(rangee["fiche_impacts"])
    return projet
