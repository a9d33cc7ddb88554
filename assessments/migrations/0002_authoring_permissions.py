from django.db import migrations

ACTIONS = ["add", "change", "delete", "view", "publish", "lock", "unlock"]
GROUPS = ["Trainer", "Administrator"]
MODELS = ["quiz", "confidencesurvey"]


def grant(apps, schema_editor):
    """Trainers and administrators write, publish and retire quizzes and surveys."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        content_type, _ = ContentType.objects.get_or_create(app_label="assessments", model=model)
        for action in ACTIONS:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            for group in Group.objects.filter(name__in=GROUPS):
                group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_quizzes_surveys_and_versions"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
