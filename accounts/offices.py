"""Reference data: the regions and Jobcentre offices of the Peer Mentoring test.

The Wallich delivered the programme in Wales; the public sources name no Welsh
offices, so Wales starts with one office that administrators can rename or extend.
"""

REGIONS: dict[str, list[str]] = {
    "North East": ["Hull"],
    "North West": [
        "Liverpool",
        "Knowsley",
        "Wirral",
        "St Helens",
        "Southport",
        "Sefton",
        "Halton",
    ],
    "South East": ["Portsmouth", "Cosham", "Fareham", "Havant", "Gosport"],
    "London and Essex": [
        "Tower Hamlets",
        "Hackney",
        "Westminster",
        "Camden",
        "Newham",
        "Islington",
        "Croydon",
        "Lambeth",
    ],
    "Wales": ["Wales test site"],
}


def sync_offices(apps) -> None:
    """Create any missing region or office; never removes or renames one."""
    from django.utils.text import slugify

    Region = apps.get_model("accounts", "Region")
    Office = apps.get_model("accounts", "Office")
    for region_name, offices in REGIONS.items():
        region, _ = Region.objects.get_or_create(
            slug=slugify(region_name), defaults={"name": region_name}
        )
        for office_name in offices:
            Office.objects.get_or_create(
                slug=slugify(office_name), defaults={"name": office_name, "region": region}
            )
