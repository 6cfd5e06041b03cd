from django.db import migrations, models

from civunit.accounts import triggers


def create_triggers(apps, schema_editor):
    triggers.create(schema_editor)


def drop_triggers(apps, schema_editor):
    triggers.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="session_generation",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="session generation"),
        ),
        # Deactivation ends every session of the person, however it is done (civunit/accounts/triggers.py).
        migrations.RunPython(create_triggers, drop_triggers),
    ]
