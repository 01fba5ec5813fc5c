from django import forms

from meetings.followups.models import MESSAGE_MAX_CHARS
from moderation.models import Report


class MessageForm(forms.Form):
    """A message. The length is checked by the action (so the text comes back with the
    error); the browser's own ``maxlength`` is left off for the same reason."""

    text = forms.CharField(
        label="Your message",
        strip=False,
        required=False,
        help_text=f"Up to {MESSAGE_MAX_CHARS:,} characters. Take your time: nothing you type "
        "is lost if something goes wrong.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ReportMessageForm(forms.Form):
    reason = forms.ChoiceField(label="Why are you reporting it?", choices=Report.Reason.choices)
    note = forms.CharField(
        label="Anything else (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
