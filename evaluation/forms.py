from django import forms

from content.models import ModulePage
from evaluation.exports.request import ExportError, make_request
from evaluation.models import ExportFormat
from evaluation.pseudonymise import key_ids


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class ChoiceInputs:
    """Point the field's label (and the error summary's link) at its first option,
    as the GOV.UK error summary expects for radios and checkboxes."""

    def id_for_label(self, id_, index="0"):
        return super().id_for_label(id_, index)


class Checkboxes(ChoiceInputs, forms.CheckboxSelectMultiple):
    pass


class Radios(ChoiceInputs, forms.RadioSelect):
    pass


class ExportForm(forms.Form):
    """What to export: modules, the days they were started, the file and the key."""

    modules = forms.MultipleChoiceField(
        label="Modules",
        widget=Checkboxes,
        error_messages={"required": "Select at least one module"},
    )
    since = forms.DateField(
        label="Started on or after",
        required=False,
        widget=DateInput(),
        help_text="Optional. Only people who started the module on or after this day.",
        error_messages={"invalid": "Enter the start date as a real date, like 2025-04-01"},
    )
    until = forms.DateField(
        label="Started on or before",
        required=False,
        widget=DateInput(),
        help_text="Optional. Only people who started the module on or before this day.",
        error_messages={"invalid": "Enter the end date as a real date, like 2025-06-30"},
    )
    format = forms.ChoiceField(
        label="File",
        choices=ExportFormat.choices,
        widget=Radios,
        error_messages={"required": "Choose a file"},
    )
    key = forms.ChoiceField(
        label="Pseudonymisation key",
        help_text="Each evaluation project or recipient has its own key, so their files "
        "cannot be joined. Choose the one for whoever will receive this file.",
        error_messages={"required": "Choose a key", "invalid_choice": "Choose a key"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modules"].choices = list(
            ModulePage.objects.order_by("path").values_list("slug", "title")
        )
        keys = key_ids()
        self.fields["key"].choices = [("", "Choose a key")] + [(k, k) for k in keys]
        self.single_key = keys[0] if len(keys) == 1 else None
        self.no_keys = not keys
        if len(keys) <= 1:
            # One key (or none): nothing to choose.
            self.fields["key"].required = False
            self.fields["key"].widget = forms.HiddenInput()
        self.export_request = None

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be the same as or after the start date")
        if self.no_keys:
            raise forms.ValidationError(
                "No pseudonymisation key is set up, so nothing can be exported. "
                "Ask an administrator to set EVALUATION_PSEUDONYM_KEYS."
            )
        if self.errors:
            return data
        try:
            self.export_request = make_request(
                format=data["format"],
                key_id=data.get("key") or self.single_key,
                modules=data["modules"],
                since=since,
                until=until,
            )
        except ExportError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data
