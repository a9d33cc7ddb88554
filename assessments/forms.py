"""Forms that render a frozen quiz or survey version as GOV.UK radios and checkboxes.

The forms only shape the page and read the post; ``services.submit_quiz`` and
``services.submit_survey`` decide what is valid and store it.
"""

from django import forms

from .models import QuizVersion, SurveyVersion
from .services import item_field, question_field


class QuizForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, version: QuizVersion, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.version = version
        self.questions = list(version.questions.all())
        for question in self.questions:
            choices = [(str(choice.pk), choice.text) for choice in question.choices.all()]
            field_class = forms.MultipleChoiceField if question.allows_many else forms.ChoiceField
            widget = forms.CheckboxSelectMultiple if question.allows_many else forms.RadioSelect
            self.fields[question_field(question)] = field_class(
                label=question.text, choices=choices, widget=widget, required=False
            )

    def answers(self) -> dict[int, list[str]]:
        """The raw choices posted for each question, for the service to validate."""
        data = self.data
        return {
            q.pk: [v for v in data.getlist(question_field(q)) if v]
            if hasattr(data, "getlist")
            else list(filter(None, [data.get(question_field(q))]))
            for q in self.questions
        }

    def selected(self, question) -> set[str]:
        if not self.is_bound:
            return set()
        return set(self.data.getlist(question_field(question)))

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            self.add_error(None if field == "__all__" else field, message)

    def rows(self):
        """(question, field name, choices, selected ids, error) for the template."""
        for question in self.questions:
            name = question_field(question)
            yield {
                "question": question,
                "name": name,
                "choices": list(question.choices.all()),
                "selected": self.selected(question),
                "errors": self.errors.get(name, []) if self.is_bound else [],
            }


class SurveyForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, version: SurveyVersion, *args, include_then: bool = False, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.version = version
        self.items = list(version.items.all())
        self.include_then = include_then
        choices = [(str(value), label) for value, label in version.scale_options]
        for item in self.items:
            self.fields[item_field(item)] = forms.ChoiceField(
                label=item.statement, choices=choices, widget=forms.RadioSelect, required=False
            )
            if include_then:
                self.fields[item_field(item, then=True)] = forms.ChoiceField(
                    label=item.statement, choices=choices, widget=forms.RadioSelect, required=False
                )

    def values(self, then: bool = False) -> dict[int, str]:
        return {item.pk: self.data.get(item_field(item, then), "") for item in self.items}

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            self.add_error(None if field == "__all__" else field, message)

    def rows(self, then: bool = False):
        for item in self.items:
            name = item_field(item, then)
            yield {
                "item": item,
                "name": name,
                "options": self.version.scale_options,
                "selected": self.data.get(name, "") if self.is_bound else "",
                "errors": self.errors.get(name, []) if self.is_bound else [],
            }

    def then_rows(self):
        return self.rows(then=True)
