from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from comptes.models import Profil
from comptes.roles import role_of
from config.erreurs import erreurs_sur_formulaire
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
    context = {
        "indicateur": indicateur,
        "title": indicateur.libelle,
        "peut_modifier": role_of(request.user) == Profil.Role.CHARGE,
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
    mesures = selectors.mesures_a_valider()
    return render(
        request,
        "indicateurs/mesure_queue.html",
        {"mesures": mesures, "form": DecisionForm(), "title": "Mesures à valider"},
    )


@require_POST
def mesure_decide(request, uid):
    if refus := _exiger_charge(request):
        return refus
    mesure = get_object_or_404(Mesure, uid=uid)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Décision illisible : choisissez « valider » ou « rejeter ».")
        return redirect("mesure_queue")
    service = services.mesure_validate if form.cleaned_data["decision"] == "valider" else services.mesure_reject
    try:
        mesure = service(mesure=mesure, by=request.user, commentaire=form.cleaned_data["commentaire"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Mesure du {mesure.date:%d/%m/%Y} {mesure.get_statut_display().lower()} : {mesure.indicateur}."
        )
    return redirect("mesure_queue")


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
