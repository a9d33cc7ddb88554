from django.db import migrations


def create_offices(apps, schema_editor):
    from accounts.offices import sync_offices

    sync_offices(apps)


class Migration(migrations.Migration):
    """Reference data: the regions and Jobcentre offices of the Peer Mentoring test."""

    dependencies = [("accounts", "0002_roles")]

    operations = [migrations.RunPython(create_offices, migrations.RunPython.noop)]
