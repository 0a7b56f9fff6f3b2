"""Accounts and API tokens: the writes."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from comptes.models import JetonAPI, Profil, empreinte_de
from comptes.roles import GROUPE_CHARGES
from territoires.models import Region

# The user model's field names, as compte_create's arguments name them.
CHAMPS = {"first_name": "prenom", "last_name": "nom"}


def compte_create(
    *,
    username: str,
    role: str,
    regions: list[str] | None = None,
    organisation: models.Model | None = None,
    email: str = "",
    prenom: str = "",
    nom: str = "",
    mot_de_passe: str | None = None,
    administrateur: bool = False,
) -> AbstractBaseUser:
    """Create a user with a role; a director needs regions, a partner an organisation (laureats.Organisation).

    Without `mot_de_passe` the account has no usable password (API tokens only); with one,
    the password must pass AUTH_PASSWORD_VALIDATORS, judged against the account's own
    username, names and e-mail. `administrateur` (officers only) also opens /admin/.
    Nothing is written when anything is refused.
    """
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
    if administrateur and role != Profil.Role.CHARGE:
        errors["administrateur"] = "Seul·e un·e chargé·e de programme administre le portail."
    User = get_user_model()
    user = User(
        username=User.normalize_username(username), email=User.objects.normalize_email(email),
        first_name=prenom, last_name=nom, is_staff=(role == Profil.Role.CHARGE), is_superuser=administrateur,
    )  # fmt: skip
    try:
        # The model's own checks: characters and length of the username, e-mail format, name lengths.
        user.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        errors.update({CHAMPS.get(champ, champ): messages for champ, messages in exc.message_dict.items()})
    if User.objects.filter(username=user.username).exists():
        errors["username"] = f"L'identifiant « {user.username} » est déjà pris."
    if mot_de_passe is not None:
        try:
            validate_password(mot_de_passe, user=user)
        except ValidationError as exc:
            errors["mot_de_passe"] = exc.messages
    elif administrateur:
        errors["mot_de_passe"] = "Un·e administrateur·rice se connecte au portail : un mot de passe est nécessaire."
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        if mot_de_passe is not None:
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
