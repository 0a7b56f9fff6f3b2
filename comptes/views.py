"""API tokens of the logged-in user: create (the token shown once), list, revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from comptes.forms import JetonForm
from comptes.models import JetonAPI, Profil
from comptes.permissions import role_required
from comptes.services import jeton_create, jeton_revoke
from config.erreurs import erreurs_sur_formulaire

# Every role can call the API with a token (each sees what its role allows).
ROLES_API = (Profil.Role.PARTENAIRE, Profil.Role.DIRECTEUR, Profil.Role.CHARGE)


def _jetons_de(user):
    return JetonAPI.objects.filter(user=user).order_by("-cree_le", "-pk")


@never_cache
@role_required(*ROLES_API)
def jeton_list(request):
    """The user's tokens, and the form to create one; the new token appears on the answer page only."""
    form = JetonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            jeton, clair = jeton_create(user=request.user, nom=form.cleaned_data["nom"])
        except ValidationError as exc:
            erreurs_sur_formulaire(form, exc)
        else:
            # Only its fingerprint is stored: this answer is the one place the token is ever shown.
            context = {"title": "Jeton créé", "jeton": jeton, "clair": clair}
            return render(request, "comptes/jeton_cree.html", context, status=201)
    context = {"title": "Mes jetons d'API", "form": form, "jetons": _jetons_de(request.user)}
    return render(request, "comptes/jetons.html", context)


@role_required(*ROLES_API)
def jeton_revoke_view(request, pk: int):
    """Ask for confirmation, then revoke one of the user's own tokens (404 for anyone else's)."""
    jeton = get_object_or_404(_jetons_de(request.user), pk=pk)
    if jeton.revoque_le is not None:
        messages.info(request, f"Le jeton « {jeton.nom} » est déjà révoqué depuis le {jeton.revoque_le:%d/%m/%Y}.")
        return redirect("jetons")
    if request.method == "POST":
        jeton_revoke(jeton=jeton)
        messages.success(request, f"Jeton « {jeton.nom} » révoqué : il n'ouvre plus l'API.")
        return redirect("jetons")
    return render(
        request, "comptes/jeton_revoquer.html", {"title": f"Révoquer le jeton « {jeton.nom} »", "jeton": jeton}
    )
