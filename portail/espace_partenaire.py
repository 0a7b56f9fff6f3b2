"""The partners' space: what their organisation's projects owe, what they declared, and the forms to declare.

A partner only ever reaches the periods and measurements of their organisation's projects:
anything else is a 404, whether it exists or not.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from comptes.models import Profil
from comptes.permissions import role_required
from comptes.selectors import projets_ids_of
from config.erreurs import erreurs_sur_formulaire
from indicateurs import selectors, services
from indicateurs.forms import MesureForm
from indicateurs.models import ETATS_DUS, EtatPeriode, Indicateur, Mesure
from laureats.models import Projet

MESURES_PAR_PAGE = 20
# The figures at the top of the page, keyed as their data-chiffre attributes (espace/<key>).
COMPTES = {
    "dues": "déclarations à faire",
    EtatPeriode.EN_RETARD: "en retard",
    EtatPeriode.ATTENDUE: "attendues avant leur date limite",
    EtatPeriode.A_REVOIR: "renvoyées pour correction",
}


def _projets(user) -> list[int]:
    # Evaluated once: each query of the page filters on these ids.
    return list(projets_ids_of(user))


def espace_partenaire(request):
    """Their projects and indicators, what is due and overdue, and the measurements they declared."""
    jour = timezone.localdate()
    projets_ids = _projets(request.user)
    dues = list(selectors.periodes_dues(jour=jour, projets=projets_ids))
    for periode in dues:
        periode.jours_de_retard = (jour - periode.date_limite).days if periode.etat == EtatPeriode.EN_RETARD else 0
    comptes = {etat: sum(1 for p in dues if p.etat == etat) for etat in ETATS_DUS}
    chiffres = [("dues", len(dues)), *((etat, comptes[etat]) for etat in COMPTES if etat != "dues")]
    indicateurs = list(selectors.indicateurs_of_projets(projets_ids))
    projets = []
    for projet in Projet.objects.filter(pk__in=projets_ids).order_by("ordre"):
        projet.indicateurs_suivis = [i for i in indicateurs if i.impact.projet_id == projet.pk]
        projets.append(projet)
    page = Paginator(selectors.mesures_of_projets(projets_ids), MESURES_PAR_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": "Mon espace",
        "organisation": request.user.profil.organisation,
        "jour": jour,
        "chiffres": [(cle, valeur, COMPTES[cle]) for cle, valeur in chiffres],
        "dues": dues,
        "projets": projets,
        "page": page,
    }
    return render(request, "portail/espace_partenaire.html", context)


@role_required(Profil.Role.PARTENAIRE)
def periode_declare(request, pk: int):
    """Declare the value of a period of one of the organisation's projects (404 for any other period)."""
    jour = timezone.localdate()
    periode = get_object_or_404(selectors.periode_list(jour=jour, projets=_projets(request.user)), pk=pk)
    if periode.etat == EtatPeriode.A_REVOIR:
        return redirect("espace_mesure_correct", uid=periode.mesure_uid)
    if periode.etat in (EtatPeriode.SOUMISE, EtatPeriode.VALIDEE):
        messages.info(
            request,
            f"{periode.indicateur} — {periode.libelle} : la valeur est déjà {EtatPeriode(periode.etat).label.lower()}.",
        )
        return redirect("espace")
    if periode.debut > jour:
        messages.info(request, f"La période « {periode.libelle} » n'a pas commencé : rien à déclarer encore.")
        return redirect("espace")
    indicateur = periode.indicateur
    form = MesureForm(
        request.POST or None, periode=periode, unite=indicateur.unite, jour=jour,
        initial={"date": min(periode.fin, jour)},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            mesure = services.mesure_submit(
                indicateur=Indicateur.objects.select_related("impact__projet").get(pk=indicateur.pk),
                by=request.user, **form.cleaned_data,
            )  # fmt: skip
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        except PermissionDenied as exc:  # the organisation left the project since the page was read
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Mesure du {mesure.date:%d/%m/%Y} soumise pour « {indicateur} » ({periode.libelle}) : "
                "un·e chargé·e de programme la validera.",
            )
            return redirect("espace")
    context = {
        "title": f"Déclarer — {indicateur.libelle} ({periode.libelle})",
        "form": form,
        "periode": periode,
        "indicateur": indicateur,
    }
    return render(request, "portail/espace_partenaire_declarer.html", context)


@role_required(Profil.Role.PARTENAIRE)
def mesure_correct(request, uid):
    """Correct a measurement an officer sent back, with their comment in view (404 outside the organisation)."""
    jour = timezone.localdate()
    mesure = get_object_or_404(selectors.mesures_of_projets(_projets(request.user)), uid=uid)
    if mesure.statut != Mesure.Statut.A_REVOIR:
        messages.info(
            request, f"Cette mesure est {mesure.get_statut_display().lower()} : seule une mesure à revoir se corrige."
        )
        return redirect("espace")
    indicateur = mesure.indicateur
    form = MesureForm(
        request.POST or None, periode=mesure.periode, unite=indicateur.unite, jour=jour,
        initial={"valeur": mesure.valeur, "source": mesure.source, "date": mesure.date},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.mesure_correct(mesure=mesure, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Mesure corrigée et soumise à nouveau pour « {indicateur} ».")
            return redirect("espace")
    context = {
        "title": f"Corriger — {indicateur.libelle}",
        "form": form,
        "mesure": mesure,
        "indicateur": indicateur,
    }
    return render(request, "portail/espace_partenaire_corriger.html", context)
