"""The "Chargés de programme" group: what officers (is_staff) may do in the admin, and the officers in it.

They read every programme model, and write only where the admin writes through the
portal's services: project and indicator corrections (projet_update, indicateur_update),
allocation amounts (allocation_update), ledger entries added (engagement_create,
desengagement_create, versement_create, versement_cancel). Reference data, accounts
and API tokens stay with the superusers (tokens: not even listed).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPE = "Chargés de programme"

PERMISSIONS = {
    "territoires": {
        "region": ["view"],
        "directionregionale": ["view"],
        "thematique": ["view"],
        "typeterritoire": ["view"],
        "label": ["view"],
    },
    "comptes": {"profil": ["view"]},
    "laureats": {
        "projet": ["view", "change"],
        "organisation": ["view"],
        "partenariat": ["view"],
        "objectif": ["view"],
        "impact": ["view"],
        "projetthematique": ["view"],
        "projettypeterritoire": ["view"],
    },
    "financements": {
        "enveloppe": ["view"],
        "allocation": ["view", "change"],
        "engagement": ["view", "add"],
        "versement": ["view", "add"],
    },
    "indicateurs": {
        "indicateur": ["view", "change"],
        "impactqualitatif": ["view"],
        "mesure": ["view"],
        "evaluation": ["view"],
        "changementstatut": ["view"],
        "syntheseenvoyee": ["view"],
    },
}


def groupe_create(apps, schema_editor):
    # Permissions are created after migrate (post_migrate): on a new database they are not there yet.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Profil = apps.get_model("comptes", "Profil")
    groupe, _ = Group.objects.get_or_create(name=GROUPE)
    for app_label, models in PERMISSIONS.items():
        for model, actions in models.items():
            groupe.permissions.add(
                *(
                    Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
                    for action in actions
                )
            )
    groupe.user_set.add(*Profil.objects.filter(role="charge").values_list("user_id", flat=True))


def groupe_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUPE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("comptes", "0002_messages_des_contraintes"),
        ("territoires", "0003_unaccent"),
        ("laureats", "0005_comptes_deplaces"),
        ("financements", "0004_coherence_grand_livre"),
        ("indicateurs", "0004_domaine_et_unicite_des_mesures"),
    ]

    operations = [migrations.RunPython(groupe_create, groupe_delete)]
