from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from comptes.models import Profil
from comptes.permissions import role_required
from comptes.roles import role_of
from config.erreurs import Conflit, erreurs_sur_formulaire
from config.saisie import montant_format
from financements import exports, services, tableaux
from financements.filters import EngagementFilterSet, VersementFilterSet
from financements.forms import EngagementForm, MouvementForm, VersementForm
from financements.models import Engagement, Enveloppe, Versement
from financements.selectors import (
    PROGRAMME_FIN,
    cumuls_mensuels,
    engagement_list,
    prevision_versements,
    prevu_verse_par_annee,
    tableau_financier,
    tranches_en_retard,
    versement_list,
)
from laureats.models import Projet
from territoires.models import Region

LECTEURS = (Profil.Role.CHARGE, Profil.Role.DIRECTEUR)
EXPORTS = ("csv", "xlsx")


@role_required(*LECTEURS)
def tableau_de_bord(request, code: str | None = None):
    region = get_object_or_404(Region, code=code) if code else None
    jour = timezone.localdate()
    nom = f"financements-{code or 'programme'}"
    export = request.GET.get("export")
    if export in EXPORTS:
        choix = request.GET.get("tableau")
        if choix in tableaux.EXPORTS:
            colonnes, rows = tableaux.export_rows(choix, jour=jour, region_code=code)
            return exports.response(colonnes, rows, f"{nom}-{choix}", export)
        rows = exports.tableau_rows(tableau_financier(region_code=code))
        return exports.response(exports.COLONNES_TABLEAU, rows, nom, export)
    tableau = tableau_financier(region_code=code)
    context = {
        "region": region,
        "tableau": tableau,
        "series": cumuls_mensuels(region_code=code),
        # EXISTS probes the projects' region index; a join then DISTINCT would read every project.
        "regions": Region.objects.filter(Exists(Projet.objects.filter(region=OuterRef("pk")))).order_by("nom"),
        # The payment schedules: four queries whatever the number of tranches.
        "jour": jour,
        "retards": tableaux.retards(tranches_en_retard(jour=jour, region_code=code), jour=jour),
        "prevu_verse": tableaux.prevu_verse(prevu_verse_par_annee(region_code=code)),
        "previsions": tableaux.previsions(
            prevision_versements(jour=jour, region_code=code),
            jour=jour,
            par_region=region is None,
            libelles={enveloppe.code: enveloppe.libelle for enveloppe, _ in tableau.cartes},
        ),
        "fin_programme": max(PROGRAMME_FIN, jour.year),
        "title": f"Financements — {region.nom}" if region else "Financements du programme",
    }
    return render(request, "financements/tableau_de_bord.html", context)


def _grand_livre_filtre(data) -> tuple[EngagementFilterSet, QuerySet, QuerySet]:
    """The form and the entries it selects; an invalid filter selects nothing, never the whole ledger."""
    filtres = EngagementFilterSet(data or None, queryset=engagement_list())
    if not filtres.is_bound:
        return filtres, engagement_list(), versement_list()
    if not filtres.is_valid():
        return filtres, Engagement.objects.none(), Versement.objects.none()
    # The same data through the disbursements' filter set: same fields, same meaning, one path to the project.
    return filtres, filtres.qs, VersementFilterSet(data, queryset=versement_list()).qs


@role_required(*LECTEURS)
def grand_livre(request):
    filtres, engagements, versements = _grand_livre_filtre(request.GET)
    if request.GET.get("export") in EXPORTS and not filtres.errors:
        rows = exports.grand_livre_rows(engagements, versements, lecteur=request.user)
        return exports.response(exports.COLONNES_GRAND_LIVRE, rows, "grand-livre", request.GET["export"])
    query = request.GET.copy()
    for cle in ("page", "page_versements", "export"):
        query.pop(cle, None)
    context = {
        "filtres": filtres,
        # The page's filters, plus any other the query string carries (an amount from the API), with its error.
        "champs": [
            filtres.form[nom] for nom in filtres.form.fields if nom in filtres.CHAMPS_HTML or nom in request.GET
        ],
        "engagements": Paginator(engagements, 50).get_page(request.GET.get("page")),
        "versements": Paginator(versements, 50).get_page(request.GET.get("page_versements")),
        "onglet_versements": "page_versements" in request.GET or request.GET.get("nature") in Versement.Nature.values,
        "query": query.urlencode(),
        "title": "Grand livre",
    }
    return render(request, "financements/grand_livre.html", context)


def _write_or_refuse(form, write, *, by, essai: bool) -> bool:
    """Run the write through its service (rolled back on a trial); a refusal becomes a form error."""
    try:
        with transaction.atomic():
            write(by=by, **form.cleaned_data)
            if essai:
                transaction.set_rollback(True)
    except (ValidationError, Conflit) as exc:
        erreurs_sur_formulaire(form, exc)
        return False
    return True


def _ecriture(
    request, *, form_class, write, titre: str, verbe: str, projet: Projet, retour: str,
    enveloppe: Enveloppe | None = None,
):  # fmt: skip
    """One ledger write through its service, once the officer has confirmed it; refusals come back as form errors.

    The first POST writes nothing: it shows the entry in words, with the cleaned values in
    hidden fields. Those come back from the browser, so the confirm POST is validated again.
    """
    form = form_class(request.POST or None)
    if request.method == "POST" and "modifier" not in request.POST and form.is_valid():
        confirme = "confirmer" in request.POST
        # The first POST runs the service and rolls it back, so every refusal (ceilings,
        # dates, a reference already used) shows before the officer is asked to confirm.
        if _write_or_refuse(form, write, by=request.user, essai=not confirme):
            if confirme:
                messages.success(request, "Écriture enregistrée au grand livre.")
                return redirect(retour)
            enveloppe = enveloppe or form.cleaned_data["enveloppe"]
            montant = montant_format(form.cleaned_data["montant"])
            context = {
                "title": titre, "projet": projet, "retour": retour,
                "phrase": f"Vous allez {verbe} {montant}\u00a0€ sur {projet.titre} ({enveloppe.libelle})",
                "valeurs": form_class(initial=form.cleaned_data),
            }  # fmt: skip
            return render(request, "financements/ecriture_confirmation.html", context)
    return render(
        request, "financements/ecriture.html", {"form": form, "title": titre, "projet": projet, "retour": retour}
    )


@role_required(Profil.Role.CHARGE)
def engagement_create(request, slug: str):
    projet = get_object_or_404(Projet, slug=slug)
    return _ecriture(
        request, form_class=EngagementForm, titre=f"Nouvel engagement — {projet.titre}", verbe="engager",
        projet=projet, retour=projet.get_absolute_url(),
        write=lambda **data: services.engagement_create(projet=projet, **data),
    )  # fmt: skip


@role_required(Profil.Role.CHARGE)
def desengagement_create(request, uid):
    engagement = get_object_or_404(
        Engagement.objects.select_related("projet", "enveloppe"), uid=uid, nature="engagement"
    )
    return _ecriture(
        request, form_class=MouvementForm, titre=f"Désengagement sur {engagement.reference}", verbe="libérer",
        projet=engagement.projet, enveloppe=engagement.enveloppe, retour=engagement.projet.get_absolute_url(),
        write=lambda **data: services.desengagement_create(engagement=engagement, **data),
    )  # fmt: skip


@role_required(Profil.Role.CHARGE)
def versement_create(request, uid):
    engagement = get_object_or_404(
        Engagement.objects.select_related("projet", "enveloppe"), uid=uid, nature="engagement"
    )
    return _ecriture(
        request, form_class=VersementForm, titre=f"Versement sur {engagement.reference}", verbe="verser",
        projet=engagement.projet, enveloppe=engagement.enveloppe, retour=engagement.projet.get_absolute_url(),
        write=lambda **data: services.versement_create(engagement=engagement, **data),
    )  # fmt: skip


@role_required(Profil.Role.CHARGE)
def versement_cancel(request, uid):
    versement = get_object_or_404(
        Versement.objects.select_related("engagement__projet", "engagement__enveloppe"), uid=uid, nature="versement"
    )
    projet = versement.engagement.projet
    return _ecriture(
        request, form_class=MouvementForm, titre=f"Annulation du versement {versement.reference}", verbe="annuler",
        projet=projet, enveloppe=versement.engagement.enveloppe, retour=projet.get_absolute_url(),
        write=lambda **data: services.versement_cancel(versement=versement, **data),
    )  # fmt: skip


def espace(request):
    """After login: a director lands on their region's dashboard, others on theirs."""
    role = role_of(request.user)
    if role == Profil.Role.DIRECTEUR:
        region = request.user.profil.regions.order_by("nom").first()
        return redirect("tableau_de_bord_region", code=region.code) if region else redirect("tableau_de_bord")
    if role == Profil.Role.CHARGE:
        return redirect("tableau_de_bord")
    return redirect("home")
