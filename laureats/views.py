from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from comptes.models import Profil
from comptes.permissions import role_required
from comptes.roles import role_of
from config.erreurs import erreurs_sur_formulaire
from laureats import selectors, services
from laureats.forms import (
    EncadrementObjectifsForm,
    EtablissementForm,
    OrganisationIdentifiantsForm,
    PartenariatAjoutForm,
    PartenariatRoleForm,
    TexteForm,
)
from laureats.models import Etablissement, Impact, Objectif, Organisation, Partenariat, Projet

CHARGE = Profil.Role.CHARGE
DIRECTEUR = Profil.Role.DIRECTEUR


# Officers' edit pages. Each write goes through laureats.services; a refusal comes back next to its field.
# A page lists what can be changed; each change posts to a view of its own.


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


# An organisation's legal identifiers: SIREN and RNA in one form, each establishment (SIRET) added or removed
# on its own. They are what the open data names a beneficiary by; none is ever filled in for the officer.


def _identifiants_page(
    request, organisation: Organisation, *, identifiants: OrganisationIdentifiantsForm | None = None,
    ajout: EtablissementForm | None = None, erreur_ligne: dict[int, list[str]] | None = None,
):  # fmt: skip
    identifiants = identifiants or OrganisationIdentifiantsForm(
        initial={"siren": organisation.siren, "rna": organisation.rna}, prefix="identifiants"
    )
    erreur_ligne = erreur_ligne or {}
    etablissements = [(e, erreur_ligne.get(e.pk, [])) for e in organisation.etablissements.order_by("siret")]
    projets = {p.projet for p in organisation.partenariats.select_related("projet")}
    projets |= set(organisation.projets_portes.all())
    return render(
        request,
        "laureats/identifiants_form.html",
        {"organisation": organisation, "identifiants": identifiants, "etablissements": etablissements,
         "ajout": ajout or EtablissementForm(prefix="etablissement"),
         "projets": sorted(projets, key=lambda p: p.titre),
         "title": f"Identifiants légaux — {organisation.nom}"},
    )  # fmt: skip


@role_required(CHARGE)
def organisation_identifiants_edit(request, slug: str):
    return _identifiants_page(request, get_object_or_404(Organisation, slug=slug))


@role_required(CHARGE)
@require_POST
def organisation_identifiants_update(request, slug: str):
    organisation = get_object_or_404(Organisation, slug=slug)
    form = OrganisationIdentifiantsForm(request.POST, prefix="identifiants")
    if form.is_valid():
        try:
            services.organisation_identifiants_update(
                organisation=organisation, siren=form.cleaned_data["siren"], rna=form.cleaned_data["rna"],
                by=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        else:
            messages.success(request, f"Identifiants de « {organisation.nom} » enregistrés.")
            return redirect("organisation_identifiants_edit", slug=organisation.slug)
    return _identifiants_page(request, organisation, identifiants=form)


@role_required(CHARGE)
@require_POST
def etablissement_add(request, slug: str):
    organisation = get_object_or_404(Organisation, slug=slug)
    ajout = EtablissementForm(request.POST, prefix="etablissement")
    if ajout.is_valid():
        try:
            etablissement = services.etablissement_create(
                organisation=organisation, siret=ajout.cleaned_data["siret"], libelle=ajout.cleaned_data["libelle"],
                by=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            erreurs_sur_formulaire(ajout, exc)
        else:
            messages.success(request, f"Établissement SIRET {etablissement.siret} ajouté.")
            return redirect("organisation_identifiants_edit", slug=organisation.slug)
    return _identifiants_page(request, organisation, ajout=ajout)


@role_required(CHARGE)
@require_POST
def etablissement_remove(request, slug: str, pk: int):
    organisation = get_object_or_404(Organisation, slug=slug)
    etablissement = Etablissement.objects.filter(pk=pk, organisation=organisation).first()
    if etablissement is None:
        messages.error(request, "Cet établissement n'existe plus : la liste a été rechargée.")
        return redirect("organisation_identifiants_edit", slug=organisation.slug)
    try:
        services.etablissement_delete(etablissement=etablissement, by=request.user)
    except ValidationError as exc:
        return _identifiants_page(request, organisation, erreur_ligne={etablissement.pk: exc.messages})
    messages.success(request, f"Établissement SIRET {etablissement.siret} retiré.")
    return redirect("organisation_identifiants_edit", slug=organisation.slug)


@role_required(CHARGE, DIRECTEUR)
def identifiants_manquants(request):
    """What the open data still lacks: beneficiaries' identifiers, projects' life cycle."""
    organisations = []
    for organisation in selectors.organisations_a_completer():
        projets = {p.slug: p for p in organisation.projets_chef_de_file}
        projets |= {p.projet.slug: p.projet for p in organisation.partenariats_liste}
        organisations.append((organisation, sorted(projets.values(), key=lambda p: p.titre)))
    return render(
        request,
        "laureats/identifiants_manquants.html",
        {"organisations": organisations, "projets": selectors.projets_sans_cycle_de_vie(),
         "peut_ecrire": request.user.is_authenticated and role_of(request.user) == CHARGE,
         "title": "Identifiants manquants avant publication"},
    )  # fmt: skip
