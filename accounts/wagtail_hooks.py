"""Admin wiring for accounts: offices and regions as reference data that
administrators keep up to date."""

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import Office, Region


class RegionViewSet(ModelViewSet):
    model = Region
    icon = "site"
    form_fields = ["name", "slug"]
    list_display = ["name"]
    search_fields = ["name"]
    add_to_reference_index = False


class OfficeViewSet(ModelViewSet):
    model = Office
    icon = "home"
    form_fields = ["name", "slug", "region"]
    list_display = ["name", "region"]
    list_filter = ["region"]
    search_fields = ["name"]
    add_to_reference_index = False


class ReferenceDataGroup(ModelViewSetGroup):
    menu_label = "Offices"
    menu_icon = "site"
    menu_order = 650
    items = (OfficeViewSet, RegionViewSet)


@hooks.register("register_admin_viewset")
def register_reference_data():
    return ReferenceDataGroup()
