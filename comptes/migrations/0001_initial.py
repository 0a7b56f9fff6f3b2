import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELES = ["profil", "jetonapi", "historicalprofil", "historicaljetonapi", "historicalprofil_regions"]


def _deplacer_types(apps, depuis: str, vers: str) -> None:
    """Move the content types, so permissions and the admin's log follow the models."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    deja = set(ContentType.objects.filter(app_label=vers, model__in=MODELES).values_list("model", flat=True))
    ContentType.objects.filter(app_label=depuis, model__in=set(MODELES) - deja).update(app_label=vers)


def types_vers_comptes(apps, schema_editor):
    _deplacer_types(apps, "laureats", "comptes")


def types_vers_laureats(apps, schema_editor):
    _deplacer_types(apps, "comptes", "laureats")


class Migration(migrations.Migration):
    """Profiles and API tokens, moved from laureats with their rows.

    The models are first declared on the tables laureats 0002 created (state
    only), then each table takes this app's name: a rename keeps every row.
    """

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('laureats', '0005_comptes_deplaces'),
        ('territoires', '0003_unaccent'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalJetonAPI',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('nom', models.CharField(max_length=100, verbose_name='nom')),
                        ('prefixe', models.CharField(help_text='Pour reconnaître le jeton.', max_length=8, verbose_name='début du jeton')),
                        ('empreinte', models.CharField(db_index=True, max_length=64, verbose_name='empreinte SHA-256')),
                        ('cree_le', models.DateTimeField(blank=True, editable=False, verbose_name='créé le')),
                        ('revoque_le', models.DateTimeField(blank=True, null=True, verbose_name='révoqué le')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'laureats_historicaljetonapi',
                        'verbose_name': "historical jeton d'API",
                        'verbose_name_plural': "historical jetons d'API",
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalProfil',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('role', models.CharField(choices=[('charge', 'Chargé·e de programme'), ('directeur', 'Directeur·rice régional·e'), ('partenaire', 'Partenaire')], max_length=20, verbose_name='rôle')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(blank=True, db_constraint=False, help_text='Pour un partenaire.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='laureats.organisation', verbose_name='organisation')),
                        ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'laureats_historicalprofil',
                        'verbose_name': 'historical profil',
                        'verbose_name_plural': 'historical profils',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Profil',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('charge', 'Chargé·e de programme'), ('directeur', 'Directeur·rice régional·e'), ('partenaire', 'Partenaire')], max_length=20, verbose_name='rôle')),
                        ('organisation', models.ForeignKey(blank=True, help_text='Pour un partenaire.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='membres', to='laureats.organisation', verbose_name='organisation')),
                        ('regions', models.ManyToManyField(blank=True, help_text='Pour un·e directeur·rice régional·e.', related_name='directeurs', to='territoires.region', verbose_name='régions suivies')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='profil', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'laureats_profil',
                        'verbose_name': 'profil',
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalProfil_regions',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='comptes.historicalprofil')),
                        ('region', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='territoires.region')),
                        ('profil', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='comptes.profil')),
                    ],
                    options={
                        'db_table': 'laureats_historicalprofil_regions',
                        'verbose_name': 'HistoricalProfil_regions',
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='JetonAPI',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('nom', models.CharField(max_length=100, verbose_name='nom')),
                        ('prefixe', models.CharField(help_text='Pour reconnaître le jeton.', max_length=8, verbose_name='début du jeton')),
                        ('empreinte', models.CharField(max_length=64, unique=True, verbose_name='empreinte SHA-256')),
                        ('cree_le', models.DateTimeField(auto_now_add=True, verbose_name='créé le')),
                        ('derniere_utilisation', models.DateTimeField(blank=True, null=True, verbose_name='dernière utilisation')),
                        ('revoque_le', models.DateTimeField(blank=True, null=True, verbose_name='révoqué le')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='jetons', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'laureats_jetonapi',
                        'verbose_name': "jeton d'API",
                        'verbose_name_plural': "jetons d'API",
                        'ordering': ['user', '-cree_le'],
                        'constraints': [models.UniqueConstraint(fields=('user', 'nom'), name='jeton_nom_unique_par_user')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='profil',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('role', 'partenaire'), _negated=True), ('organisation__isnull', False), _connector='OR'), name='profil_partenaire_a_une_organisation'),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='profil', table=None),
        migrations.AlterModelTable(name='jetonapi', table=None),
        migrations.AlterModelTable(name='historicalprofil', table=None),
        migrations.AlterModelTable(name='historicaljetonapi', table=None),
        migrations.AlterModelTable(name='historicalprofil_regions', table=None),
        migrations.RunPython(types_vers_comptes, types_vers_laureats),
    ]
