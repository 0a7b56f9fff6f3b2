"""Pages that compose several apps: the home page, the list and page of a project, its fiche's
edit page (fields and allocations together) and its history."""

import json
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from comptes.models import Profil
from comptes.permissions import role_required
from comptes.roles import role_of
from config.erreurs import erreurs_sur_formulaire
from financements.models import Allocation, Enveloppe
from financements.selectors import ZERO, cumuls_mensuels, programme_chiffres, projet_financement
from indicateurs.selectors import projet_indicateurs
from laureats.filters import ProjetFilterSet
from laureats.forms import ProjetForm
from laureats.models import Organisation, Projet
from laureats.selectors import projet_search
from laureats.services import PROJET_CHAMPS_MODIFIABLES
from laureats.templatetags.montants import en_millions
from portail import donnees_ouvertes as donnees_ouvertes_scdl
from portail.historique import dernieres_modifications, projet_historique
from portail.selectors import projet_detail_queryset, projet_list
from portail.services import fiche_update
from territoires.models import Region

CHARGE, DIRECTEUR = Profil.Role.CHARGE, Profil.Role.DIRECTEUR
# The list's sortable columns, named as the API's `ordering` names them ("-" for descending).
ORDERINGS = {
    "ordre": "ordre",
    "titre": "titre",
    "region": "region__nom",
    "population_concernee": "population_concernee",
    "budget_previsionnel": "budget_previsionnel",
    "subvention_prevue": "subvention_prevue",
    "investissement_potentiel": "investissement_potentiel",
}
PAR_PAGE, PAR_PAGE_MAX = 10, 100
# Beyond this many leads a drop-down list is no longer usable (a large programme has thousands):
# the filter then takes the lead's identifier, as the API does.
CHEFS_EN_LISTE_MAX = 200


def home(request):
    role = role_of(request.user)
    chiffres = Projet.objects.aggregate(
        nb_projets=Count("id"),
        nb_partenaires=Sum("nb_partenaires_declares"),
        nb_collectivites=Sum("nb_collectivites_declarees"),
        population=Sum("population_concernee"),
        budget=Sum("budget_previsionnel"),
    )
    # Each envelope's figures and both together, defined once in financements.selectors.Chiffres.
    enveloppes, totaux = programme_chiffres()
    # Up to ACCUEIL_LAUREATS_MAX laureates the regions' table links each of them; beyond, a region
    # gives its number of laureates and links to the project list filtered by region.
    liste = chiffres["nb_projets"] <= settings.ACCUEIL_LAUREATS_MAX
    regions = _par_region(avec_projets=liste)
    context = {
        "chiffres": chiffres,
        "liste": liste,
        "enveloppes": enveloppes,
        "totaux": totaux,
        "regions": regions,
        "carte": _carte(regions),
        "modifications": dernieres_modifications(
            limite=8, avec_grand_livre=role in (CHARGE, DIRECTEUR), lecteur=request.user
        ),
        "voit_auteurs": role in (CHARGE, DIRECTEUR),
    }
    return render(request, "portail/home.html", context)


def _par_region(*, avec_projets: bool) -> list[dict]:
    """Each region with laureates: their number and the fiches' amounts, by one aggregate query;
    with `avec_projets`, its laureates too (one more query), in the programme's order."""
    montant = "projets__allocations__montant"
    par_enveloppe = {
        cle: Coalesce(Sum(montant, filter=Q(projets__allocations__enveloppe__code=code)), ZERO)
        for cle, code in (("subvention", Enveloppe.Code.SUBVENTION), ("investissement", Enveloppe.Code.INVESTISSEMENT))
    }
    regions = [
        {"region": r, "nb": r.nb, "subvention": r.subvention, "investissement": r.investissement, "projets": []}
        for r in Region.objects.annotate(nb=Count("projets", distinct=True), **par_enveloppe)
        .filter(nb__gt=0)
        .order_by("nom")
    ]
    if avec_projets:
        par_code = {r["region"].code: r for r in regions}
        for projet in Projet.objects.order_by("region__nom", "ordre").values("region__code", "slug", "titre"):
            par_code[projet["region__code"]]["projets"].append(projet)
    return regions


# DSFR Chart's map names the 13 metropolitan regions by their ISO 3166-2 letters and
# the five overseas regions by their department number; other territories (New
# Caledonia) are not drawn and are listed beside the map.
REGIONS_CARTE = {
    "84": "ARA", "27": "BFC", "53": "BRE", "24": "CVL", "94": "20R", "44": "GES", "32": "HDF", "11": "IDF",
    "28": "NOR", "75": "NAQ", "76": "OCC", "52": "PDL", "93": "PAC",
    "01": "971", "02": "972", "03": "973", "04": "974", "06": "976",
}  # fmt: skip


def _carte(regions: list[dict]) -> dict:
    """The maps' data by region (every drawn region, 0 where there is no laureate), as JSON."""
    par_code = {r["region"].code: r for r in regions}

    def serie(valeur) -> str:
        return json.dumps(
            {iso: valeur(par_code[code]) if code in par_code else 0 for code, iso in REGIONS_CARTE.items()}
        )

    return {
        "laureats": serie(lambda r: r["nb"]),
        # Rounded as the tables round them: a region reads the same on the map and below it.
        "subventions": serie(lambda r: float(en_millions(r["subvention"]))),
        "investissements": serie(lambda r: float(en_millions(r["investissement"]))),
        # In euros: the template writes them with `millions`.
        "total_subventions": sum((r["subvention"] for r in regions), Decimal(0)),
        "total_investissements": sum((r["investissement"] for r in regions), Decimal(0)),
        "hors_carte": [r for r in regions if r["region"].code not in REGIONS_CARTE],
    }


def projet_list_view(request):
    """The API's filters (region, thematique, type_territoire, chef_de_file, search, ordering) in HTML."""
    filterset = ProjetFilterSet(request.GET or None, queryset=projet_list())
    _libelles_html(filterset.form)
    # An invalid filter lists nothing (its error shows on the form), never every project.
    projets = (
        projet_list() if not filterset.is_bound else filterset.qs if filterset.is_valid() else Projet.objects.none()
    )
    recherche = request.GET.get("search", "").strip()
    if recherche:
        projets = projet_search(projets, recherche)
    tri = request.GET.get("ordering", "ordre")
    if tri.lstrip("-") not in ORDERINGS:
        tri = "ordre"
    champ = ORDERINGS[tri.lstrip("-")]
    projets = projets.order_by(f"-{champ}" if tri.startswith("-") else champ, "ordre")
    try:
        par_page = min(max(int(request.GET.get("page_size", PAR_PAGE)), 1), PAR_PAGE_MAX)
    except ValueError:
        par_page = PAR_PAGE
    page = Paginator(projets, par_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sans_tri = query.copy()
    sans_tri.pop("ordering", None)
    context = {
        "filterset": filterset,
        "recherche": recherche,
        "page": page,
        "pages": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "tri": tri,
        "colonnes": _colonnes(tri),
        "query": query.urlencode(),
        "query_sans_tri": sans_tri.urlencode(),
        "title": "Projets lauréats",
    }
    return render(request, "portail/projet_list.html", context)


def _libelles_html(form) -> None:
    """The API's filter form, worded for people: names rather than codes and identifiers."""
    form.fields["region"].label = "Région"
    for nom in ("region", "thematique", "type_territoire"):
        form.fields[nom].empty_label = "Toutes"
    # EXISTS walks the organisations' name index and stops at the limit; a join then DISTINCT read every project.
    chefs = list(
        Organisation.objects.filter(Exists(Projet.objects.filter(chef_de_file=OuterRef("pk"))))
        .order_by("nom")
        .values_list("slug", "nom")[: CHEFS_EN_LISTE_MAX + 1]
    )
    form.fields["chef_de_file"].label = "Chef de file"
    if len(chefs) <= CHEFS_EN_LISTE_MAX:
        form.fields["chef_de_file"].widget = forms.Select(choices=[("", "Tous"), *chefs])
    else:
        aide = "Identifiant de l'organisation, comme dans l'API ; la recherche trouve aussi le nom du chef de file."
        form.fields["chef_de_file"].help_text = aide


def _colonnes(tri: str) -> list[dict]:
    """Sortable headers: the ordering each link asks for and the aria-sort it shows."""
    colonnes = []
    for cle, libelle in (("titre", "Projet"), ("region", "Région"), ("population_concernee", "Personnes concernées"),
                         ("subvention_prevue", "Subvention prévue"),
                         ("investissement_potentiel", "Potentiel d'investissement")):  # fmt: skip
        actif = tri.lstrip("-") == cle
        descendant = tri.startswith("-")
        colonnes.append(
            {
                "cle": cle,
                "libelle": libelle,
                "lien": f"-{cle}" if actif and not descendant else cle,
                "aria_sort": ("descending" if descendant else "ascending") if actif else None,
            }
        )
    return colonnes


def projet_detail(request, slug: str):
    projet = get_object_or_404(projet_detail_queryset(), slug=slug)
    context = {
        "projet": projet,
        "title": projet.titre,
        "financement": projet_financement(projet),
        "series": cumuls_mensuels(projet_slug=projet.slug),
        "peut_ecrire": role_of(request.user) == Profil.Role.CHARGE,
        # Ledger entries (references, reasons, authors) are for officers and directors.
        "voit_grand_livre": role_of(request.user) in (CHARGE, DIRECTEUR),
        "suivi_indicateurs": projet_indicateurs(projet),
    }
    return render(request, "portail/projet_detail.html", context)


# The fiche's edit page: its fields and its amounts are saved together (portail.services.fiche_update);
# a refusal comes back next to its field.


@role_required(CHARGE)
def projet_edit(request, slug: str):
    projet = get_object_or_404(Projet.objects.select_related("region"), slug=slug)
    allocations = {
        a.enveloppe.code: a.montant for a in Allocation.objects.filter(projet=projet).select_related("enveloppe")
    }
    initial = {"subvention": allocations.get("subvention"), "investissement": allocations.get("investissement")}
    form = ProjetForm(request.POST or None, instance=projet, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in PROJET_CHAMPS_MODIFIABLES}
        montants = {code: form.cleaned_data[champ] for code, champ in (("subvention", "subvention"),
                    ("investissement", "investissement")) if code in allocations}  # fmt: skip
        try:
            fiche_update(projet=projet, data=data, allocations=montants, by=request.user)
        except ValidationError as exc:
            # Allocation refusals are keyed by envelope code, which is also the form field's name.
            erreurs_sur_formulaire(form, exc)
        else:
            messages.success(request, "Fiche enregistrée.")
            return redirect("projet_detail", slug=projet.slug)
    return render(
        request, "portail/projet_form.html", {"projet": projet, "form": form, "title": f"Modifier — {projet.titre}"}
    )


@role_required(CHARGE, DIRECTEUR)
def projet_historique_view(request, slug: str):
    """Every change of the project's record, with who, when and the field-level diff."""
    projet = get_object_or_404(Projet, slug=slug)
    changements = projet_historique(projet, lecteur=request.user)
    page = Paginator(changements, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "portail/projet_historique.html",
        {"projet": projet, "page": page, "nb": len(changements), "title": f"Historique — {projet.titre}"},
    )


# --- Open data: the SCDL « subventions » files and the page that presents them (portail/donnees_ouvertes.py) ---

LICENCE = {
    "nom": "Licence Ouverte / Open Licence 2.0 (Etalab)",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


@require_safe
def donnees_ouvertes(request):
    """What the portal publishes, under which licence, and for officers and directors what is left to complete."""
    publication = donnees_ouvertes_scdl.publication()
    context = {
        "title": "Données ouvertes",
        "publication": publication,
        "nb_lignes": len(publication.lignes),
        "schema": {
            "nom": donnees_ouvertes_scdl.SCHEMA_NOM,
            "titre": donnees_ouvertes_scdl.SCHEMA_TITRE,
            "version": donnees_ouvertes_scdl.SCHEMA_VERSION,
            "url": donnees_ouvertes_scdl.SCHEMA_URL,
        },
        "licence": LICENCE,
        "attribuant": {"nom": settings.SCDL_NOM_ATTRIBUANT, "siret": settings.SCDL_ID_ATTRIBUANT},
        "dispositif": settings.SCDL_DISPOSITIF_AIDE,
        "voit_a_completer": role_of(request.user) in (CHARGE, DIRECTEUR),
    }
    return render(request, "portail/donnees_ouvertes.html", context)


def _fichier(contenu: str, *, content_type: str, nom: str, publication) -> HttpResponse:
    reponse = HttpResponse(contenu.encode("utf-8"), content_type=content_type)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    if publication.derniere_modification is not None:
        reponse["Last-Modified"] = http_date(publication.derniere_modification.timestamp())
    return reponse


@require_safe
def subventions_csv(request):
    publication = donnees_ouvertes_scdl.publication()
    return _fichier(
        donnees_ouvertes_scdl.csv_texte(publication.lignes),
        content_type="text/csv; charset=utf-8; header=present",
        nom="subventions.csv",
        publication=publication,
    )


@require_safe
def subventions_json(request):
    publication = donnees_ouvertes_scdl.publication()
    return _fichier(
        donnees_ouvertes_scdl.json_texte(publication.lignes),
        content_type="application/json",
        nom="subventions.json",
        publication=publication,
    )


# --- Open data: the IATI activity file ------------------------------------------------------------------------------


def donnees_ouvertes_iati(request):
    """The programme in IATI 2.03 (portail.iati), one activity per project: public, for any reader or harvester."""
    from django.http import HttpResponse, HttpResponseNotAllowed

    # Imported here: lxml is loaded by the workers that serve the file only.
    from portail.iati import iati_activities

    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    reponse = HttpResponse(iati_activities(), content_type="application/xml; charset=utf-8")
    reponse["Content-Disposition"] = 'inline; filename="iati-activities.xml"'
    return reponse
