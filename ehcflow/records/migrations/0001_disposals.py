"""Reviewed disposals at the end of retention; the disposal record is append-only.

Like the case events (casework 0003), the permanent record of what was disposed of is
protected by triggers on both engines, so no bug or console session can rewrite it.
"""

import django.db.models.deletion
from django.db import migrations, models


TABLE = "records_disposalrecord"


def append_only(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE} "
                "BEGIN SELECT RAISE(ABORT, 'disposal records are append-only'); END;")
        # REPLACE INTO deletes a clashing row without firing the delete trigger (decision
        # 0008): refuse the clash itself.
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_replace BEFORE INSERT ON {TABLE} "
            f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id "
            "OR batch_reference = NEW.batch_reference) "
            "BEGIN SELECT RAISE(ABORT, 'disposal records are append-only'); END;")
    elif vendor == "postgresql":
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'disposal records are append-only'; END; $$ "
            "LANGUAGE plpgsql;")
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();")
        # Emptying an empty table erases nothing and is what Django's test flush does to
        # every table, so it is allowed; with any row present TRUNCATE is refused.
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION {TABLE}_no_truncate() RETURNS trigger AS $$ "
            f"BEGIN IF EXISTS (SELECT 1 FROM {TABLE}) THEN "
            "RAISE EXCEPTION 'disposal records are append-only'; END IF; RETURN NULL; END; "
            "$$ LANGUAGE plpgsql;")
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_no_truncate();")


def drop_append_only(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for op in ("update", "delete", "replace"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{op};")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {TABLE}_append_only();")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {TABLE}_no_truncate();")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('casework', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='DisposalBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reference', models.CharField(max_length=20, unique=True)),
                ('as_of', models.DateField(help_text='The date retention was assessed on.')),
                ('retention_years', models.PositiveSmallIntegerField(help_text='Years kept after the 25th birthday when the batch was proposed.')),
                ('status', models.CharField(choices=[('proposed', 'Proposed, awaiting review'), ('approved', 'Approved by the reviewer'), ('disposed', 'Disposed of')], default='proposed', max_length=10)),
                ('proposed_by', models.CharField(max_length=150)),
                ('proposed_at', models.DateTimeField(auto_now_add=True)),
                ('reviewer', models.CharField(blank=True, max_length=150)),
                ('approved_at', models.DateTimeField(blank=True, null=True)),
                ('disposed_by', models.CharField(blank=True, max_length=150)),
                ('disposed_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name_plural': 'disposal batches',
                'ordering': ['proposed_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='DisposalRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('batch_reference', models.CharField(max_length=20, unique=True)),
                ('as_of', models.DateField()),
                ('retention_years', models.PositiveSmallIntegerField()),
                ('children', models.PositiveIntegerField()),
                ('person_refs', models.JSONField(default=list)),
                ('counts', models.JSONField(default=dict, help_text='Rows deleted, by kind of record.')),
                ('proposed_by', models.CharField(max_length=150)),
                ('reviewer', models.CharField(max_length=150)),
                ('approved_at', models.DateTimeField()),
                ('disposed_by', models.CharField(max_length=150)),
                ('disposed_at', models.DateTimeField()),
            ],
            options={
                'ordering': ['disposed_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='DisposalItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('person_ref', models.CharField(help_text="The authority's internal reference, kept as the record of what was disposed of.", max_length=40, verbose_name='person id')),
                ('retain_until', models.DateField()),
                ('disposed', models.BooleanField(default=False)),
                ('batch', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='records.disposalbatch')),
                ('child', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='casework.child')),
            ],
            options={
                'ordering': ['person_ref'],
                'constraints': [models.UniqueConstraint(fields=('batch', 'person_ref'), name='records_item_once_per_batch')],
            },
        ),
        migrations.RunPython(append_only, drop_append_only),
    ]
