"""Writes that span several apps: a fiche's fields and its amounts, saved together.

Each part is written by the service that owns it (laureats' projet_update for the
fields, financements' allocation_update for each amount); this one transaction
keeps the edit page's save all or nothing.
"""

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from financements.models import Allocation
from financements.services import allocation_update
from laureats.models import Projet
from laureats.services import projet_update


@transaction.atomic
def fiche_update(
    *,
    projet: Projet,
    data: dict[str, Any],
    by: AbstractBaseUser | None,
    allocations: dict[str, Decimal] | None = None,
) -> Projet:
    """Correct the fiche's fields and amounts; `allocations` maps an envelope code to the fiche's new amount."""
    projet = projet_update(projet=projet, data=data, by=by)
    for code, montant in (allocations or {}).items():
        allocation = Allocation.objects.filter(projet=projet, enveloppe__code=code).first()
        if allocation is None:
            raise ValidationError({code: "Le projet n'a pas d'allocation dans cette enveloppe."})
        if allocation.montant != montant:
            try:
                allocation_update(allocation=allocation, montant=montant, by=by)
            except ValidationError as exc:
                # Name the form field (the envelope) rather than the model's "montant".
                raise ValidationError({code: exc.message_dict.get("montant", exc.messages)}) from exc
    return projet
