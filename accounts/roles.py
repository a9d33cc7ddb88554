"""The five roles, as Django groups, and the permissions each holds.

Kept in plain data so the migration that creates the groups and the tests that check
them read the same table.
"""

from enum import StrEnum


class Role(StrEnum):
    WORK_COACH = "Work coach"
    TEAM_LEADER = "Team leader"
    TRAINER = "Trainer"
    EVALUATOR = "Evaluator"
    ADMINISTRATOR = "Administrator"


# Permissions that belong to no model: (app_label, model, codename, name).
CUSTOM_PERMISSIONS = [
    ("accounts", "user", "view_team_progress", "Can see the progress of their own office"),
    ("accounts", "user", "view_evaluation", "Can see evaluation figures"),
    ("accounts", "user", "export_evaluation", "Can export pseudonymised evaluation data"),
    ("accounts", "user", "view_export_audit", "Can read the export audit log"),
    ("accounts", "user", "view_audit_log", "Can read the audit log"),
]

_ADMIN_ACCESS = ("wagtailadmin", "admin", "access_admin")

# (app_label, model, codename) per role.
ROLE_PERMISSIONS: dict[Role, list[tuple[str, str, str]]] = {
    Role.WORK_COACH: [],
    Role.TEAM_LEADER: [("accounts", "user", "view_team_progress")],
    # Page, image and document permissions are granted on the page tree and the
    # root collection (content migration 0002), as Wagtail expects.
    Role.TRAINER: [_ADMIN_ACCESS],
    Role.EVALUATOR: [
        ("accounts", "user", "view_evaluation"),
        ("accounts", "user", "export_evaluation"),
    ],
    Role.ADMINISTRATOR: [
        _ADMIN_ACCESS,
        ("accounts", "user", "add_user"),
        ("accounts", "user", "change_user"),
        ("accounts", "user", "delete_user"),
        ("accounts", "user", "view_user"),
        ("accounts", "office", "add_office"),
        ("accounts", "office", "change_office"),
        ("accounts", "office", "view_office"),
        ("accounts", "region", "add_region"),
        ("accounts", "region", "change_region"),
        ("accounts", "region", "view_region"),
        ("accounts", "user", "view_export_audit"),
        ("accounts", "user", "view_audit_log"),
        ("accounts", "user", "view_team_progress"),
        ("auth", "group", "view_group"),
    ],
}


def sync_roles(apps) -> None:
    """Create the groups and give each exactly the permissions listed above.

    Works inside a migration (``apps`` is the historical registry), where
    permissions may not exist yet because Django creates them after migrating.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    names = {codename: name for _, _, codename, name in CUSTOM_PERMISSIONS}

    def permission(app_label, model, codename):
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        default_name = codename.replace("_", " ").capitalize()
        perm, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=codename,
            defaults={"name": names.get(codename, f"Can {default_name}")[:255]},
        )
        return perm

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set([permission(*p) for p in perms])
