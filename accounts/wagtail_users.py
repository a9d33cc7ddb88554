"""The Wagtail admin's user screens, with each person's office and staff number."""

from django import forms
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .models import Office

EXTRA_FIELDS = {"office", "staff_number"}


class OfficeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.region.name})"


def _office_field():
    return OfficeChoiceField(
        queryset=Office.objects.select_related("region"),
        required=True,
        help_text="The Jobcentre office this person works in.",
        error_messages={"required": "Choose the person's office"},
    )


class CoachAcademyUserCreationForm(UserCreationForm):
    office = _office_field()

    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | EXTRA_FIELDS


class CoachAcademyUserEditForm(UserEditForm):
    office = _office_field()

    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | EXTRA_FIELDS


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return CoachAcademyUserEditForm if for_update else CoachAcademyUserCreationForm
