import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0002_evaluation_sans_index_indicateur"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicateur",
            name="modifie_le",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now, verbose_name="modifié le"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalindicateur",
            name="modifie_le",
            field=models.DateTimeField(
                blank=True,
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="modifié le",
            ),
            preserve_default=False,
        ),
    ]
