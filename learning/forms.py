from django import forms


class EvaluationChoiceForm(forms.Form):
    take_part = forms.ChoiceField(
        label="Can your answers be used to evaluate the training?",
        choices=[
            ("yes", "Yes, use my answers in the evaluation"),
            ("no", "No, do not use my answers in the evaluation"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether your answers can be used"},
    )
