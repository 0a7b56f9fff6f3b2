from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from comptes.models import Profil
from comptes.roles import role_of
from comptes.selectors import projets_ids_of
from config.erreurs import erreurs_sur_formulaire
from financements import exports
from indicateurs import imports, selectors, services
from indicateurs.filters import IndicateurFilterSet
from indicateurs.forms import DecisionForm, ImportForm, IndicateurForm
from indicateurs.models import ImpactQualitatif, Indicateur, Mesure, Statut
from laureats.models import Projet


def _exiger_charge(request):
    """None when the user is a programme officer; a redirect to log in for anonymous users; 403 otherwise."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if role_of(request.user) != Profil.Role.CHARGE:
        raise PermissionDenied("Réservé aux chargé·es de programme.")
    return None


def programme(request):
    """Statuses of every indicator by region and by theme, and the indicators at risk."""
    filterset = IndicateurFilterSet(request.GET or None, queryset=Indicateur.objects.all())
    # An invalid filter counts nothing (its error shows on the form), never every indicator.
    if not filterset.is_bound:
        indicateurs = Indicateur.objects.all()
    else:
        indicateurs = filterset.qs if filterset.is_valid() else Indicateur.objects.none()
    par_region = selectors.statuts_par_region(indicateurs)
    totaux = {cle: sum(ligne[cle] for ligne in par_region) for cle in [*Statut.values, "total"]}
    context = {
        "title": "Indicateurs 2030 du programme",
        "filterset": filterset,
        "statuts": Statut.choices,
        "par_region": par_region,
        "totaux": totaux,
        "par_thematique": selectors.statuts_par_thematique(indicateurs),
        "a_risque": selectors.indicateurs_a_risque(indicateurs),
        "derniere_date": selectors.derniere_date_evaluation(),
        "nb_qualitatifs": ImpactQualitatif.objects.count(),
        "peut_valider": role_of(request.user) == Profil.Role.CHARGE,
    }
    return render(request, "indicateurs/programme.html", context)


def indicateur_detail(request, code: str):
    try:
        indicateur = selectors.indicateur_detail(code)
    except Indicateur.DoesNotExist as exc:
        raise Http404("Indicateur inconnu.") from exc
    role, jour = role_of(request.user), timezone.localdate()
    # Values not yet validated, as for the measurements (selectors.mesure_list_visible_to): officers and
    # directors, and the partners of the indicator's project; the public sees validated values only.
    voit_non_validees = role in (Profil.Role.CHARGE, Profil.Role.DIRECTEUR) or (
        role == Profil.Role.PARTENAIRE and indicateur.impact.projet_id in set(projets_ids_of(request.user))
    )
    context = {
        "indicateur": indicateur,
        "title": indicateur.libelle,
        "peut_modifier": role == Profil.Role.CHARGE,
        "periodes": selectors.indicateur_periodes(indicateur=indicateur, jour=jour),
        "jour": jour,
        "voit_non_validees": voit_non_validees,
        "delai_declaration": settings.INDICATEURS_DELAI_DECLARATION_JOURS,
    }
    return render(request, "indicateurs/indicateur_detail.html", context)


def indicateur_update(request, code: str):
    """An officer corrects the structured target read from the fiche (errors next to the field)."""
    if refus := _exiger_charge(request):
        return refus
    indicateur = get_object_or_404(Indicateur.objects.select_related("impact__projet"), code=code)
    form = IndicateurForm(request.POST or None, instance=indicateur)
    if request.method == "POST" and form.is_valid():
        donnees = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.indicateur_update(
                indicateur=Indicateur.objects.get(pk=indicateur.pk), data=donnees, by=request.user
            )
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        else:
            messages.success(request, "Cible enregistrée ; la prochaine évaluation en tiendra compte.")
            return redirect("indicateur_detail", code=indicateur.code)
    context = {"form": form, "indicateur": indicateur, "title": f"Modifier — {indicateur.libelle}"}
    return render(request, "indicateurs/indicateur_form.html", context)


def mesure_queue(request):
    """The officers' queue of submitted measurements, each with its decision form."""
    if refus := _exiger_charge(request):
        return refus
    lignes = selectors.lignes_a_valider()
    return render(
        request,
        "indicateurs/mesure_queue.html",
        {"lignes": lignes, "form": DecisionForm(), "title": "Mesures à valider"},
    )


DECISIONS = {
    "valider": services.mesure_validate,
    "renvoyer": services.mesure_return,
    "rejeter": services.mesure_reject,
}


@require_POST
def mesure_decide(request, uid):
    if refus := _exiger_charge(request):
        return refus
    mesure = get_object_or_404(Mesure, uid=uid)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Décision illisible : choisissez « valider », « renvoyer pour correction » ou « rejeter »."
        )
        return redirect("mesure_queue")
    service = DECISIONS[form.cleaned_data["decision"]]
    try:
        mesure = service(mesure=mesure, by=request.user, commentaire=form.cleaned_data["commentaire"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Mesure du {mesure.date:%d/%m/%Y} {mesure.get_statut_display().lower()} : {mesure.indicateur}."
        )
    return redirect("mesure_queue")


COLONNES_RETARDS = [
    exports.Colonne("Projet"), exports.Colonne("Région"), exports.Colonne("Déclarations en retard"),
    exports.Colonne("Plus ancienne date limite", exports.DATE),
]  # fmt: skip


def _retards_export(request, format_: str):
    """Overdue reports by project: officers read the programme, a director their regions."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    role = role_of(request.user)
    if role == Profil.Role.CHARGE:
        projets = None
    elif role == Profil.Role.DIRECTEUR:
        projets = Projet.objects.filter(region__in=request.user.profil.regions.all())
    else:
        raise PermissionDenied("Réservé aux chargé·es de programme et aux directeur·rices régionaux·ales.")
    jour = timezone.localdate()
    rows = [
        [ligne["projet_titre"], ligne["region_nom"], ligne["nb_en_retard"], ligne["plus_ancienne"]]
        for ligne in selectors.retards_par_projet(jour=jour, projets=projets)
    ]
    return exports.response(COLONNES_RETARDS, rows, f"declarations-en-retard-{jour:%Y-%m-%d}", format_)


def retards_csv(request):
    return _retards_export(request, "csv")


def retards_xlsx(request):
    return _retards_export(request, "xlsx")


# --- Measurements by spreadsheet: template and import ---------------------------------


def _exiger_declarant(request):
    """None for a partner or an officer; a redirect to log in for anonymous users; 403 otherwise."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    imports.projets_du_declarant(request.user)
    return None


def mesures_modele(request):
    """The XLSX template of the periods the user owes; an officer may keep one project (`?projet=<slug>`)."""
    if refus := _exiger_declarant(request):
        return refus
    projet = get_object_or_404(Projet, slug=request.GET["projet"]) if request.GET.get("projet") else None
    reponse = HttpResponse(imports.modele_xlsx(by=request.user, projet=projet), content_type=imports.XLSX)
    reponse["Content-Disposition"] = f'attachment; filename="{imports.nom_du_modele()}"'
    return reponse


def mesures_import(request):
    """Upload a filled template: every error by row and column, or the measurements written."""
    if refus := _exiger_declarant(request):
        return refus
    # Bound on every POST: an empty one (no file chosen) is an error to show, not a blank form.
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    refus_import = mesures = rapport = None
    if request.method == "POST" and form.is_valid():
        try:
            rapport = imports.mesures_import(fichier=form.cleaned_data["fichier"], by=request.user)
        except imports.ImportRefuse as exc:
            refus_import = exc
        else:
            mesures = (
                Mesure.objects.filter(pk__in=[m.pk for m in rapport.mesures])
                .select_related("indicateur__impact__projet", "periode")
                .order_by("indicateur__impact__projet__ordre", "indicateur_id", "date")
            )
    context = {
        "title": "Importer des mesures par tableur",
        "form": form,
        "refus": refus_import,
        "rapport": rapport,
        "mesures": mesures,
        "est_charge": role_of(request.user) == Profil.Role.CHARGE,
        "projets": Projet.objects.order_by("titre").only("slug", "titre")
        if role_of(request.user) == Profil.Role.CHARGE
        else None,
        "taille_max": imports.taille_texte(settings.IMPORT_TAILLE_MAX_OCTETS),
        "lignes_max": settings.IMPORT_LIGNES_MAX,
    }
    return render(request, "indicateurs/mesures_import.html", context)
