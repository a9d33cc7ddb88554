from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search modules and lessons",
        max_length=200,
        error_messages={"required": "Enter a word or phrase to search for"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("q", label_size=Size.MEDIUM),
            Button("submit", "Search"),
        )

    def clean_q(self):
        value = self.cleaned_data["q"].strip()
        if not value:
            raise forms.ValidationError("Enter a word or phrase to search for")
        return value
