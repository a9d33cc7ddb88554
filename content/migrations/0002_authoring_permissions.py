from django.db import migrations

PAGE_PERMISSIONS = {
    "Trainer": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    "Administrator": [
        "add_page", "change_page", "publish_page", "lock_page", "unlock_page",
        "delete_page", "bulk_delete_page",
    ],
}  # fmt: skip
COLLECTION_PERMISSIONS = {
    "Trainer": [
        ("wagtailimages", "image", ["add_image", "change_image", "choose_image"]),
        ("wagtaildocs", "document", ["add_document", "change_document", "choose_document"]),
    ],
    "Administrator": [
        ("wagtailimages", "image", ["add_image", "change_image", "choose_image", "delete_image"]),
        (
            "wagtaildocs",
            "document",
            ["add_document", "change_document", "choose_document", "delete_document"],
        ),
    ],
}


def grant(apps, schema_editor):
    """Trainers author and publish pages anywhere in the tree; administrators may
    also delete. Both manage images and documents."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    def permission(app_label, model, codename):
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        perm, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=codename,
            defaults={"name": f"Can {codename.replace('_', ' ')}"},
        )
        return perm

    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()
    for group_name, codenames in PAGE_PERMISSIONS.items():
        group = Group.objects.get(name=group_name)
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root_page, permission=permission("wagtailcore", "page", codename)
            )
    for group_name, entries in COLLECTION_PERMISSIONS.items():
        group = Group.objects.get(name=group_name)
        for app_label, model, codenames in entries:
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=root_collection,
                    permission=permission(app_label, model, codename),
                )


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("accounts", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
