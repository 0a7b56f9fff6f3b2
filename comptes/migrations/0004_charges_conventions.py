"""The officers' admin group reads conventions, their tranches and amendments, and establishments.

They complete a convention's publication fields there (ConventionAdmin saves through
convention_update); its money, schedule and amendments are written in the portal.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPE = "Chargés de programme"

PERMISSIONS = {
    "financements": {"convention": ["view", "change"], "tranche": ["view"], "avenant": ["view"]},
    "laureats": {"etablissement": ["view"]},
}


def permissions_add(apps, schema_editor):
    # Permissions are created after migrate (post_migrate): on a new database they are not there yet.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groupe, _ = Group.objects.get_or_create(name=GROUPE)
    for app_label, models in PERMISSIONS.items():
        for model, actions in models.items():
            groupe.permissions.add(
                *(
                    Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
                    for action in actions
                )
            )


def permissions_remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groupe = Group.objects.filter(name=GROUPE).first()
    if groupe is None:
        return
    for app_label, models in PERMISSIONS.items():
        for model, actions in models.items():
            groupe.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=[f"{action}_{model}" for action in actions]
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("comptes", "0003_groupe_charges_de_programme"),
        ("laureats", "0008_identifiants_legaux_valides"),
        ("financements", "0007_conventions_grand_livre"),
    ]

    operations = [migrations.RunPython(permissions_add, permissions_remove)]
