import django.db.models.functions.datetime
from django.conf import settings
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce


def dater(apps, schema_editor):
    """A measurement's last write before this column: its decision, else its submission."""
    for nom in ("Mesure", "HistoricalMesure"):
        apps.get_model("indicateurs", nom).objects.update(modifie_le=Coalesce(F("decision_le"), F("soumise_le")))


class Migration(migrations.Migration):

    dependencies = [
        ('indicateurs', '0007_relances'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalmesure',
            name='modifie_le',
            field=models.DateTimeField(blank=True, db_default=django.db.models.functions.datetime.Now(), editable=False, verbose_name='modifiée le'),
        ),
        migrations.AddField(
            model_name='mesure',
            name='modifie_le',
            field=models.DateTimeField(auto_now=True, db_default=django.db.models.functions.datetime.Now(), verbose_name='modifiée le'),
        ),
        migrations.RunPython(dater, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='mesure',
            index=models.Index(fields=['modifie_le', 'id'], name='mesure_modifie_le_id'),
        ),
    ]
