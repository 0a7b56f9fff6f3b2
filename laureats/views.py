import json
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from comptes.models import Profil
from comptes.permissions import role_required
from comptes.roles import role_of
from config.erreurs import erreurs_sur_formulaire
from financements.models import Allocation
from financements.selectors import cumuls_mensuels, programme_chiffres, projet_financement
from indicateurs.selectors import projet_indicateurs
from laureats import services
from laureats.filters import ProjetFilterSet
from laureats.forms import EncadrementObjectifsForm, PartenariatAjoutForm, PartenariatRoleForm, ProjetForm, TexteForm
from laureats.historique import dernieres_modifications, projet_historique
from laureats.models import Impact, Objectif, Organisation, Partenariat, Projet
from laureats.selectors import projet_detail_queryset, projet_list, projet_search
from laureats.templatetags.montants import en_millions

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
    regions = _par_region(list(projet_list().order_by("region__nom", "ordre")))
    context = {
        "chiffres": chiffres,
        "enveloppes": enveloppes,
        "totaux": totaux,
        "regions": regions,
        "carte": _carte(regions),
        "modifications": dernieres_modifications(limite=8, avec_grand_livre=role in (CHARGE, DIRECTEUR)),
        "voit_auteurs": role in (CHARGE, DIRECTEUR),
    }
    return render(request, "laureats/home.html", context)


def _par_region(projets: list[Projet]) -> list[dict]:
    """Laureates and fiche amounts by region, summed from the list already fetched."""
    regions: dict[str, dict] = {}
    for p in projets:
        r = regions.setdefault(
            p.region.code, {"region": p.region, "projets": [], "subvention": Decimal(0), "investissement": Decimal(0)}
        )
        r["projets"].append(p)
        r["subvention"] += p.subvention_prevue or 0
        r["investissement"] += p.investissement_potentiel or 0
    return list(regions.values())


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
        "laureats": serie(lambda r: len(r["projets"])),
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
    return render(request, "laureats/projet_list.html", context)


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
    return render(request, "laureats/projet_detail.html", context)


# Officers' edit pages. Each write goes through laureats.services (and the ledger's
# allocation_update for the fiche's amounts); a refusal comes back next to its field.
# A page lists what can be changed; each change posts to a view of its own.


@role_required(CHARGE)
def projet_edit(request, slug: str):
    projet = get_object_or_404(Projet.objects.select_related("region"), slug=slug)
    allocations = {
        a.enveloppe.code: a.montant for a in Allocation.objects.filter(projet=projet).select_related("enveloppe")
    }
    initial = {"subvention": allocations.get("subvention"), "investissement": allocations.get("investissement")}
    form = ProjetForm(request.POST or None, instance=projet, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.PROJET_CHAMPS_MODIFIABLES}
        montants = {code: form.cleaned_data[champ] for code, champ in (("subvention", "subvention"),
                    ("investissement", "investissement")) if code in allocations}  # fmt: skip
        try:
            services.projet_update(projet=projet, data=data, allocations=montants, by=request.user)
        except ValidationError as exc:
            # Allocation refusals are keyed by envelope code, which is also the form field's name.
            erreurs_sur_formulaire(form, exc)
        else:
            messages.success(request, "Fiche enregistrée.")
            return redirect("projet_detail", slug=projet.slug)
    return render(
        request, "laureats/projet_form.html", {"projet": projet, "form": form, "title": f"Modifier — {projet.titre}"}
    )


def _partenariats_page(
    request, projet: Projet, *, ajout: PartenariatAjoutForm | None = None,
    erreur_ligne: dict[int, list[str]] | None = None,
):  # fmt: skip
    """The project's partners, each with its role and removal, and the addition form."""
    partenariats = (
        Partenariat.objects.filter(projet=projet).select_related("organisation").order_by("role", "organisation__nom")
    )
    erreur_ligne = erreur_ligne or {}
    lignes = [(p, erreur_ligne.get(p.pk, [])) for p in partenariats]
    return render(
        request,
        "laureats/partenariats_form.html",
        {"projet": projet, "lignes": lignes, "ajout": ajout or PartenariatAjoutForm(prefix="ajout"),
         "roles": Partenariat.Role.choices, "title": f"Partenaires — {projet.titre}"},
    )  # fmt: skip


@role_required(CHARGE)
def partenariats_edit(request, slug: str):
    return _partenariats_page(request, get_object_or_404(Projet, slug=slug))


@role_required(CHARGE)
@require_POST
def partenariat_add(request, slug: str):
    projet = get_object_or_404(Projet, slug=slug)
    ajout = PartenariatAjoutForm(request.POST, prefix="ajout")
    if ajout.is_valid():
        data = ajout.cleaned_data
        try:
            # One transaction: a refused partnership leaves no orphan organisation behind.
            with transaction.atomic():
                organisation = data["organisation"] or services.organisation_create(
                    nom=data["nom"], siren=data["siren"], nature=data["nature"], by=request.user
                )
                services.partenariat_add(projet=projet, organisation=organisation, role=data["role"], by=request.user)
        except ValidationError as exc:
            erreurs_sur_formulaire(ajout, exc)
        else:
            messages.success(request, f"« {organisation.nom} » ajouté aux partenaires.")
            return redirect("partenariats_edit", slug=projet.slug)
    return _partenariats_page(request, projet, ajout=ajout)


def _partenariat(slug: str, pk: int) -> tuple[Projet, Partenariat]:
    projet = get_object_or_404(Projet, slug=slug)
    return projet, get_object_or_404(Partenariat.objects.select_related("organisation"), pk=pk, projet=projet)


@role_required(CHARGE)
@require_POST
def partenariat_update(request, slug: str, pk: int):
    projet, partenariat = _partenariat(slug, pk)
    role_form = PartenariatRoleForm(request.POST)
    if not role_form.is_valid():
        return _partenariats_page(request, projet, erreur_ligne={partenariat.pk: role_form.errors.get("role", [])})
    try:
        services.partenariat_update(partenariat=partenariat, role=role_form.cleaned_data["role"], by=request.user)
    except ValidationError as exc:
        return _partenariats_page(request, projet, erreur_ligne={partenariat.pk: exc.messages})
    messages.success(request, f"Rôle de « {partenariat.organisation.nom} » enregistré.")
    return redirect("partenariats_edit", slug=projet.slug)


@role_required(CHARGE)
@require_POST
def partenariat_remove(request, slug: str, pk: int):
    projet, partenariat = _partenariat(slug, pk)
    try:
        services.partenariat_remove(partenariat=partenariat, by=request.user)
    except ValidationError as exc:
        return _partenariats_page(request, projet, erreur_ligne={partenariat.pk: exc.messages})
    messages.success(request, f"« {partenariat.organisation.nom} » retiré des partenaires.")
    return redirect("partenariats_edit", slug=projet.slug)


TEXTES = {
    "objectifs": {
        "model": Objectif, "titre": "Objectifs stratégiques", "nom": "objectif",
        "create": services.objectif_create, "update": services.objectif_update,
        "move": services.objectif_move, "delete": services.objectif_delete,
    },
    "impacts": {
        "model": Impact, "titre": "Impacts à horizon 2030", "nom": "impact",
        "create": services.impact_create, "update": services.impact_update,
        "move": services.impact_move, "delete": services.impact_delete,
    },
}  # fmt: skip


def _textes(slug: str, genre: str) -> tuple[Projet, list[Objectif | Impact]]:
    projet = get_object_or_404(Projet, slug=slug)
    return projet, list(TEXTES[genre]["model"].objects.filter(projet=projet).order_by("ordre"))


def _textes_page(
    request, projet: Projet, genre: str, textes: list[Objectif | Impact], *,
    formulaires: dict[int, TexteForm] | None = None, ajout: TexteForm | None = None,
    encadrement: EncadrementObjectifsForm | None = None, erreurs_ligne: dict[int, list[str]] | None = None,
):  # fmt: skip
    """The project's objectives or impacts, each in its own form, and the addition form."""
    conf = TEXTES[genre]
    forms_ = {t.pk: TexteForm(initial={"texte": t.texte}, prefix=f"t{t.pk}") for t in textes} | (formulaires or {})
    # The prose some fiches put around their objectives list is edited on the same page.
    if genre == "objectifs" and encadrement is None:
        encadrement = EncadrementObjectifsForm(
            initial={"objectifs_introduction": projet.objectifs_introduction,
                     "objectifs_conclusion": projet.objectifs_conclusion},
        )  # fmt: skip
    erreurs_ligne = erreurs_ligne or {}
    lignes = [(t, forms_[t.pk], erreurs_ligne.get(t.pk, [])) for t in textes]
    return render(
        request,
        "laureats/textes_form.html",
        {"projet": projet, "lignes": lignes, "ajout": ajout or TexteForm(prefix="ajout"), "genre": genre,
         "conf": conf, "encadrement": encadrement, "title": f"{conf['titre']} — {projet.titre}"},
    )  # fmt: skip


@role_required(CHARGE)
def textes_edit(request, slug: str, genre: str):
    """Edit, add, remove and reorder a project's objectives or 2030 impacts (verbatim texts)."""
    projet, textes = _textes(slug, genre)
    return _textes_page(request, projet, genre, textes)


@role_required(CHARGE)
@require_POST
def texte_create(request, slug: str, genre: str):
    projet, textes = _textes(slug, genre)
    ajout = TexteForm(request.POST, prefix="ajout")
    if ajout.is_valid():
        try:
            TEXTES[genre]["create"](projet=projet, texte=ajout.cleaned_data["texte"], by=request.user)
        except ValidationError as exc:
            erreurs_sur_formulaire(ajout, exc)
        else:
            messages.success(request, "Texte ajouté en fin de liste.")
            return redirect("textes_edit", slug=projet.slug, genre=genre)
    return _textes_page(request, projet, genre, textes, ajout=ajout)


def _texte_cible(slug: str, genre: str, pk: str) -> tuple[Projet, list[Objectif | Impact], Objectif | Impact | None]:
    """The project, its texts and the one the URL names (None once another officer removed it)."""
    projet, textes = _textes(slug, genre)
    return projet, textes, next((t for t in textes if str(t.pk) == pk), None)


def _texte_disparu(request, projet: Projet, genre: str):
    messages.error(request, "Ce texte n'existe plus : la liste a été rechargée.")
    return redirect("textes_edit", slug=projet.slug, genre=genre)


@role_required(CHARGE)
@require_POST
def texte_update(request, slug: str, genre: str, pk: str):
    projet, textes, cible = _texte_cible(slug, genre, pk)
    if cible is None:
        return _texte_disparu(request, projet, genre)
    form = TexteForm(request.POST, prefix=f"t{cible.pk}")
    if form.is_valid():
        conf = TEXTES[genre]
        try:
            conf["update"](**{conf["nom"]: cible}, texte=form.cleaned_data["texte"], by=request.user)
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        else:
            messages.success(request, f"Texte n° {cible.ordre} enregistré.")
            return redirect("textes_edit", slug=projet.slug, genre=genre)
    return _textes_page(request, projet, genre, textes, formulaires={cible.pk: form})


def _texte_refuse(request, projet, genre, textes, cible, exc: ValidationError):
    """The page again, the refusal on the text's line and its field as it was posted with the button."""
    form = TexteForm(request.POST, prefix=f"t{cible.pk}")
    return _textes_page(
        request, projet, genre, textes, formulaires={cible.pk: form}, erreurs_ligne={cible.pk: exc.messages}
    )


@role_required(CHARGE)
@require_POST
def texte_move(request, slug: str, genre: str, pk: str, vers: str):
    projet, textes, cible = _texte_cible(slug, genre, pk)
    if cible is None:
        return _texte_disparu(request, projet, genre)
    conf = TEXTES[genre]
    try:
        conf["move"](**{conf["nom"]: cible}, vers=vers, by=request.user)
    except ValidationError as exc:
        return _texte_refuse(request, projet, genre, textes, cible, exc)
    messages.success(request, "Ordre enregistré.")
    return redirect("textes_edit", slug=projet.slug, genre=genre)


@role_required(CHARGE)
@require_POST
def texte_delete(request, slug: str, genre: str, pk: str):
    projet, textes, cible = _texte_cible(slug, genre, pk)
    if cible is None:
        return _texte_disparu(request, projet, genre)
    conf = TEXTES[genre]
    try:
        conf["delete"](**{conf["nom"]: cible}, by=request.user)
    except ValidationError as exc:
        return _texte_refuse(request, projet, genre, textes, cible, exc)
    messages.success(request, f"Texte n° {cible.ordre} supprimé.")
    return redirect("textes_edit", slug=projet.slug, genre=genre)


@role_required(CHARGE)
@require_POST
def objectifs_encadrement_update(request, slug: str, genre: str):
    """The prose before and after the objectives list; the impacts list has none, and nothing is written for it."""
    if genre != "objectifs":
        return redirect("textes_edit", slug=slug, genre=genre)
    projet, textes = _textes(slug, genre)
    encadrement = EncadrementObjectifsForm(request.POST)
    if not encadrement.is_valid():
        return _textes_page(request, projet, genre, textes, encadrement=encadrement)
    services.projet_objectifs_encadrement_update(
        projet=projet,
        introduction=encadrement.cleaned_data["objectifs_introduction"],
        conclusion=encadrement.cleaned_data["objectifs_conclusion"],
        by=request.user,
    )
    messages.success(request, "Introduction et conclusion de la liste enregistrées.")
    return redirect("textes_edit", slug=projet.slug, genre=genre)


@role_required(CHARGE, DIRECTEUR)
def projet_historique_view(request, slug: str):
    """Every change of the project's record, with who, when and the field-level diff."""
    projet = get_object_or_404(Projet, slug=slug)
    changements = projet_historique(projet)
    page = Paginator(changements, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "laureats/projet_historique.html",
        {"projet": projet, "page": page, "nb": len(changements), "title": f"Historique — {projet.titre}"},
    )
