from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from comptes.models import Profil
from comptes.permissions import role_required
from laureats import services
from laureats.forms import EncadrementObjectifsForm, PartenariatAjoutForm, PartenariatRoleForm, TexteForm
from laureats.models import Impact, Objectif, Partenariat, Projet

CHARGE = Profil.Role.CHARGE


# Officers' edit pages. Each write goes through laureats.services; a refusal comes back next to its field.


def _erreurs(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form, next to the field it names."""
    if hasattr(exc, "error_dict"):
        for champ, erreurs in exc.message_dict.items():
            form.add_error(champ if champ in form.fields else None, erreurs)
    else:
        form.add_error(None, exc.messages)


@role_required(CHARGE)
def partenariats_edit(request, slug: str):
    projet = get_object_or_404(Projet, slug=slug)
    partenariats = (
        Partenariat.objects.filter(projet=projet).select_related("organisation").order_by("role", "organisation__nom")
    )
    ajout = PartenariatAjoutForm(request.POST if request.POST.get("action") == "ajouter" else None, prefix="ajout")
    erreur_ligne: dict[int, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "ajouter":
                if ajout.is_valid():
                    data = ajout.cleaned_data
                    # One transaction: a refused partnership leaves no orphan organisation behind.
                    with transaction.atomic():
                        organisation = data["organisation"] or services.organisation_create(
                            nom=data["nom"], siren=data["siren"], nature=data["nature"], by=request.user
                        )
                        services.partenariat_add(
                            projet=projet, organisation=organisation, role=data["role"], by=request.user
                        )
                    messages.success(request, f"« {organisation.nom} » ajouté aux partenaires.")
                    return redirect("partenariats_edit", slug=projet.slug)
            elif action in ("role", "retirer"):
                partenariat = get_object_or_404(
                    Partenariat.objects.select_related("organisation"),
                    pk=request.POST.get("partenariat"),
                    projet=projet,
                )
                if action == "retirer":
                    services.partenariat_remove(partenariat=partenariat, by=request.user)
                    messages.success(request, f"« {partenariat.organisation.nom} » retiré des partenaires.")
                    return redirect("partenariats_edit", slug=projet.slug)
                role_form = PartenariatRoleForm(request.POST)
                if role_form.is_valid():
                    services.partenariat_update(
                        partenariat=partenariat, role=role_form.cleaned_data["role"], by=request.user
                    )
                    messages.success(request, f"Rôle de « {partenariat.organisation.nom} » enregistré.")
                    return redirect("partenariats_edit", slug=projet.slug)
                erreur_ligne[partenariat.pk] = role_form.errors.get("role", [])
        except ValidationError as exc:
            if action == "ajouter":
                _erreurs(ajout, exc)
            else:
                erreur_ligne[int(request.POST["partenariat"])] = exc.messages
    lignes = [(p, erreur_ligne.get(p.pk, [])) for p in partenariats]
    return render(
        request,
        "laureats/partenariats_form.html",
        {"projet": projet, "lignes": lignes, "ajout": ajout, "roles": Partenariat.Role.choices,
         "title": f"Partenaires — {projet.titre}"},
    )  # fmt: skip


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


@role_required(CHARGE)
def textes_edit(request, slug: str, genre: str):
    """Edit, add, remove and reorder a project's objectives or 2030 impacts (verbatim texts)."""
    conf = TEXTES[genre]
    projet = get_object_or_404(Projet, slug=slug)
    textes = list(conf["model"].objects.filter(projet=projet).order_by("ordre"))
    forms_ = {t.pk: TexteForm(initial={"texte": t.texte}, prefix=f"t{t.pk}") for t in textes}
    ajout = TexteForm(prefix="ajout")
    erreurs_ligne: dict[int, list[str]] = {}
    # The prose some fiches put around their objectives list is edited on the same page.
    encadrement = None
    if genre == "objectifs":
        encadrement = EncadrementObjectifsForm(
            request.POST if request.POST.get("action") == "encadrement" else None,
            initial={"objectifs_introduction": projet.objectifs_introduction,
                     "objectifs_conclusion": projet.objectifs_conclusion},
        )  # fmt: skip
        if encadrement.is_bound and encadrement.is_valid():
            services.projet_objectifs_encadrement_update(
                projet=projet,
                introduction=encadrement.cleaned_data["objectifs_introduction"],
                conclusion=encadrement.cleaned_data["objectifs_conclusion"],
                by=request.user,
            )
            messages.success(request, "Introduction et conclusion de la liste enregistrées.")
            return redirect("textes_edit", slug=projet.slug, genre=genre)
    if request.method == "POST":
        action = request.POST.get("action")
        cible = next((t for t in textes if str(t.pk) == request.POST.get("texte_id")), None)
        if action != "ajouter" and cible is None:
            messages.error(request, "Ce texte n'existe plus : la liste a été rechargée.")
            return redirect("textes_edit", slug=projet.slug, genre=genre)
        cle = {conf["nom"]: cible}
        if action == "ajouter":
            form = ajout = TexteForm(request.POST, prefix="ajout")
        else:
            form = forms_[cible.pk] = TexteForm(request.POST, prefix=f"t{cible.pk}")
        try:
            if action == "ajouter" and form.is_valid():
                conf["create"](projet=projet, texte=form.cleaned_data["texte"], by=request.user)
                messages.success(request, "Texte ajouté en fin de liste.")
                return redirect("textes_edit", slug=projet.slug, genre=genre)
            if action == "modifier" and form.is_valid():
                conf["update"](**cle, texte=form.cleaned_data["texte"], by=request.user)
                messages.success(request, f"Texte n° {cible.ordre} enregistré.")
                return redirect("textes_edit", slug=projet.slug, genre=genre)
            if action in ("haut", "bas"):
                conf["move"](**cle, vers=action, by=request.user)
                messages.success(request, "Ordre enregistré.")
                return redirect("textes_edit", slug=projet.slug, genre=genre)
            if action == "supprimer":
                conf["delete"](**cle, by=request.user)
                messages.success(request, f"Texte n° {cible.ordre} supprimé.")
                return redirect("textes_edit", slug=projet.slug, genre=genre)
        except ValidationError as exc:
            if action in ("ajouter", "modifier"):
                _erreurs(form, exc)
            else:
                erreurs_ligne[cible.pk] = exc.messages
    lignes = [(t, forms_[t.pk], erreurs_ligne.get(t.pk, [])) for t in textes]
    return render(
        request,
        "laureats/textes_form.html",
        {"projet": projet, "lignes": lignes, "ajout": ajout, "genre": genre, "conf": conf,
         "encadrement": encadrement, "title": f"{conf['titre']} — {projet.titre}"},
    )  # fmt: skip
