"""Accounts and API tokens: the writes."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from comptes.models import JetonAPI, Profil, empreinte_de
from comptes.roles import GROUPE_CHARGES
from territoires.models import Region


def compte_create(
    *,
    username: str,
    role: str,
    regions: list[str] | None = None,
    organisation: models.Model | None = None,
    email: str = "",
    mot_de_passe: str | None = None,
) -> AbstractBaseUser:
    """Create a user with a role; a director needs regions, a partner an organisation (laureats.Organisation)."""
    errors = {}
    if role not in Profil.Role.values:
        errors["role"] = f"Rôle inconnu « {role} » ; valeurs possibles : {', '.join(Profil.Role.values)}."
    region_objs = list(Region.objects.filter(code__in=regions or []))
    unknown = set(regions or []) - {r.code for r in region_objs}
    if unknown:
        errors["regions"] = f"Code(s) INSEE inconnu(s) : {', '.join(sorted(unknown))}."
    if role == Profil.Role.DIRECTEUR and not regions:
        errors["regions"] = "Un·e directeur·rice régional·e suit au moins une région."
    if organisation is None and role == Profil.Role.PARTENAIRE:
        errors["organisation"] = "Un partenaire appartient à une organisation."
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        errors["username"] = f"L'identifiant « {username} » est déjà pris."
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email, is_staff=(role == Profil.Role.CHARGE))
        if mot_de_passe:
            user.set_password(mot_de_passe)
        else:
            user.set_unusable_password()
        user.save()
        profil = Profil(user=user, role=role, organisation=organisation)
        profil._change_reason = "Compte créé"
        profil.save()
        profil.regions.set(region_objs)
        if role == Profil.Role.CHARGE:
            # What officers may do in the admin (migration 0002 gives the group its permissions).
            user.groups.add(Group.objects.get_or_create(name=GROUPE_CHARGES)[0])
    return user


def jeton_create(*, user: AbstractBaseUser, nom: str = "jeton") -> tuple[JetonAPI, str]:
    """Create a named token; returns the row and the clear token, shown only once."""
    if JetonAPI.objects.filter(user=user, nom=nom).exists():
        raise ValidationError({"nom": f"Un jeton nommé « {nom} » existe déjà pour cet utilisateur."})
    clair = secrets.token_urlsafe(32)
    jeton = JetonAPI(user=user, nom=nom, prefixe=clair[:8], empreinte=empreinte_de(clair))
    jeton._change_reason = "Jeton créé"
    jeton.save()
    return jeton, clair


def jeton_revoke(*, jeton: JetonAPI) -> None:
    """Revoke a token once: the first revocation date stays, and it is in the token's history."""
    with transaction.atomic():
        # Race: two revocations at once; the second waits, then finds the token revoked.
        jeton = JetonAPI.objects.select_for_update().get(pk=jeton.pk)
        if jeton.revoque_le is not None:
            return
        jeton.revoque_le = timezone.now()
        jeton._change_reason = "Jeton révoqué"
        jeton.save(update_fields=["revoque_le"])
