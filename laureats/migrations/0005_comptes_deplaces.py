from django.db import migrations


class Migration(migrations.Migration):
    """Profiles and API tokens now belong to the comptes app.

    Only the migration state forgets them here: their tables and rows are taken
    over by comptes 0001, which depends on this migration.
    """

    dependencies = [
        ('laureats', '0004_objectifs_introduction_conclusion'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                # The m2m history first: it points at both the profile and its history.
                migrations.DeleteModel(name='HistoricalProfil_regions'),
                migrations.DeleteModel(name='HistoricalProfil'),
                migrations.DeleteModel(name='HistoricalJetonAPI'),
                migrations.DeleteModel(name='Profil'),
                migrations.DeleteModel(name='JetonAPI'),
            ],
            database_operations=[],
        ),
    ]
