from django import forms
from django.core.exceptions import ValidationError

from hearth.refusal import Refused
from meetings.wellbeing.models import RATHER_NOT_SAY, SCALE, STRATEGY_MAX_CHARS, Strategy
from members.numbers import LARGEST_ID, LARGEST_VERSION
from members.text import validate_single_line
from moderation.models import Report

OFF_SCALE = "Choose one of the five answers, or “rather not say”."

SCORE_CHOICES = [(str(score), f"{words}") for score, words in SCALE.items()] + [
    ("none", RATHER_NOT_SAY)
]


class CheckInForm(forms.Form):
    score = forms.ChoiceField(
        choices=SCORE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": OFF_SCALE, "invalid_choice": OFF_SCALE},
    )
    wants_check_in = forms.BooleanField(
        label="I'd like someone to check in with me",
        required=False,
        help_text="Only the facilitators see this, after the meeting.",
    )

    def __init__(self, *args, moment: str = "arriving", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].label = (
            "How are you arriving?" if moment == "arriving" else "How are you leaving?"
        )
        self.fields[
            "score"
        ].help_text = (
            "Optional, and never shown to the room. You can change it until the meeting ends."
        )

    @property
    def chosen_score(self) -> int | None:
        value = self.cleaned_data["score"]
        return None if value == "none" else int(value)


class AgreementForm(forms.Form):
    version = forms.IntegerField(min_value=0, max_value=LARGEST_VERSION, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class StrategyForm(forms.Form):
    text = forms.CharField(
        label="What helps you?",
        max_length=STRATEGY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "A short way of coping that works for you, in your own words "
            f"(up to {STRATEGY_MAX_CHARS} characters). Please don't quote what someone else "
            "shared. A host or facilitator reads it before it joins the toolbox."
        ),
        error_messages={
            "required": "Write the strategy in a few words first.",
            "max_length": f"Please keep it under {STRATEGY_MAX_CHARS} characters.",
        },
    )
    tag = forms.ChoiceField(
        label="When does it help? (optional)",
        choices=[("", "No tag"), *Strategy.Tag.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a tag from the list, or none."},
    )
    meeting = forms.IntegerField(
        required=False, min_value=1, max_value=LARGEST_ID, widget=forms.HiddenInput
    )

    def clean_text(self):
        from meetings.wellbeing.actions import clean_strategy_text

        try:
            return clean_strategy_text(self.cleaned_data["text"])
        except Refused as error:
            raise ValidationError(error.message, code=error.code) from None


class ToolboxSearchForm(forms.Form):
    q = forms.CharField(
        label="Search", max_length=100, required=False, validators=[validate_single_line]
    )
    tag = forms.ChoiceField(
        label="Tag", choices=[("", "Any tag"), *Strategy.Tag.choices], required=False
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Decline")],
        error_messages={
            "required": "Choose approve or decline.",
            "invalid_choice": "Choose approve or decline.",
        },
    )
    reason = forms.CharField(
        label="Note for the log (optional)",
        max_length=500,
        required=False,
        validators=[validate_single_line],
    )


class StrategyReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why?",
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a reason from the list."},
    )
    note = forms.CharField(
        label="Anything the moderators should know (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The author never sees who reported it.",
    )
