from datetime import timedelta

from django import forms
from django.utils import timezone

from circles.models import Circle
from members.numbers import LARGEST_ID
from members.text import validate_single_line
from moderation.actions import MAX_MUTE_HOURS, MAX_SUSPENSION_HOURS, MESSAGE_MAX_LENGTH
from moderation.models import Report, SafetyEvent


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you reporting?", choices=[("member", "A member"), ("circle", "A circle")]
    )
    target = forms.IntegerField(min_value=1, max_value=LARGEST_ID, widget=forms.HiddenInput)
    circle = forms.IntegerField(
        min_value=1, max_value=LARGEST_ID, required=False, widget=forms.HiddenInput
    )
    reason = forms.ChoiceField(
        label="Why?", choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Anything the moderators should know (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only the circle's hosts and site staff read this. "
        "The person you report never sees who reported them.",
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ActForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("dismiss", "Dismiss"),
            ("hide", "Hide the content"),
            ("warn", "Warn"),
            ("mute", "Mute"),
            ("remove", "Remove"),
            ("ban", "Ban"),
            ("suspend", "Suspend the account"),
        ]
    )
    message = forms.CharField(
        label="Reason, or your message to the member",
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to warn, remove, ban or suspend. A warning is sent to the member "
        "as written; everything is recorded in the moderation log.",
    )
    # Its range depends on the action (a mute or a suspension): moderation.actions._hours
    # checks it, with its own message, after the role (tests/hearth/test_input_rules.py).
    hours = forms.IntegerField(
        label="For how many hours? (mute or suspension)",
        required=False,
        help_text=f"Mute: 1 to {MAX_MUTE_HOURS:,} hours. "
        f"Suspension: 1 to {MAX_SUSPENSION_HOURS:,} hours.",
    )
    permanent = forms.BooleanField(label="Suspend for good", required=False)


AGE_CHOICES = [
    ("", "Any age"),
    ("day", "Filed in the last 24 hours"),
    ("week", "Filed in the last 7 days"),
    ("older", "Older than 7 days"),
]
STATE_CHOICES = [("open", "Open"), ("closed", "Closed"), ("all", "All")]


class QueueFilterForm(forms.Form):
    circle = forms.ModelChoiceField(
        queryset=Circle.objects.none(), required=False, empty_label="All my circles"
    )
    reason = forms.ChoiceField(choices=[("", "Any reason"), *Report.Reason.choices], required=False)
    state = forms.ChoiceField(choices=STATE_CHOICES, required=False)
    age = forms.ChoiceField(choices=AGE_CHOICES, required=False)

    def __init__(self, *args, circles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["circle"].queryset = circles if circles is not None else Circle.objects.none()

    def filter(self, reports):
        if not self.is_valid():
            return reports.filter(state=Report.State.OPEN)
        data = self.cleaned_data
        if data["circle"]:
            reports = reports.filter(circle=data["circle"])
        if data["reason"]:
            reports = reports.filter(reason=data["reason"])
        state = data["state"] or "open"
        if state == "open":
            reports = reports.filter(state=Report.State.OPEN)
        elif state == "closed":
            reports = reports.exclude(state=Report.State.OPEN)
        week_ago = timezone.now() - timedelta(days=7)
        if data["age"] == "day":
            reports = reports.filter(created_at__gte=timezone.now() - timedelta(days=1))
        elif data["age"] == "week":
            reports = reports.filter(created_at__gte=week_ago)
        elif data["age"] == "older":
            reports = reports.filter(created_at__lt=week_ago)
        return reports


class FollowUpForm(forms.Form):
    state = forms.ChoiceField(label="Follow-up", choices=SafetyEvent.FollowUp.choices)
    note = forms.CharField(
        label="Note for the log (optional)",
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        validators=[validate_single_line],
    )


class LogFilterForm(forms.Form):
    action = forms.CharField(
        label="Action starts with",
        required=False,
        max_length=80,
        validators=[validate_single_line],
        help_text="For example moderation.member or room.",
    )
    circle = forms.ModelChoiceField(
        queryset=Circle.objects.all(), required=False, empty_label="Any circle"
    )
    actor = forms.CharField(
        label="Done by (display name)",
        required=False,
        max_length=60,
        validators=[validate_single_line],
    )
    target = forms.CharField(
        label="About (display name)",
        required=False,
        max_length=60,
        validators=[validate_single_line],
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filter(self, entries):
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["action"]:
            entries = entries.filter(action__startswith=data["action"].strip())
        if data["circle"]:
            entries = entries.filter(circle=data["circle"])
        if data["actor"]:
            entries = entries.filter(actor_name__icontains=data["actor"].strip())
        if data["target"]:
            entries = entries.filter(target_name__icontains=data["target"].strip())
        if data["since"]:
            entries = entries.filter(created_at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(created_at__date__lte=data["until"])
        return entries
