"""Forms parse and check input; the changes themselves happen in ``circles.actions``."""

from datetime import timedelta

from django import forms

from circles.actions import (
    AGREEMENTS_MAX_LENGTH,
    NAME_TAKEN,
    REASON_MAX_LENGTH,
    RESERVED_SLUGS,
    name_is_taken,
)
from circles.models import MEMBER_LIMIT, RETENTION_HOURS, Circle, Membership, Topic
from members.numbers import LARGEST_VERSION
from members.text import validate_single_line

AGREEMENTS_HELP = (
    "How members treat each other here. Markdown works: start lines with “- ” for a list, "
    "**bold**, *italic*, [links](https://example.org)."
)


class CircleForm(forms.ModelForm):
    """Create (with the first agreements) or edit a circle (with its address)."""

    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose one or more; people find circles by topic.",
        error_messages={"required": "Choose at least one topic."},
    )
    agreements = forms.CharField(
        label="Group agreements",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=AGREEMENTS_MAX_LENGTH,
        help_text=AGREEMENTS_HELP,
    )

    class Meta:
        model = Circle
        fields = [
            "name",
            "slug",
            "topics",
            "description",
            "language",
            "join_policy",
            "visibility",
            "member_limit",
            "retention_hours",
            "crisis_resources",
            "voice_enabled",
        ]
        labels = {
            "slug": "Address",
            "description": "Short description",
            "member_limit": "Member limit",
            "retention_hours": "Keep what is said for (hours)",
            "crisis_resources": "Crisis resources",
            "voice_enabled": "Voice in the talking circle",
        }
        help_texts = {
            "name": "Unique on Hearth, up to 80 characters.",
            "slug": "The last part of the circle's web address: letters, numbers and hyphens.",
            "description": "A sentence or two: who the circle is for. Up to 500 characters.",
            "member_limit": "Leave empty for no limit. Small circles (6 to 12) work best.",
            "voice_enabled": (
                "Members can speak aloud when they hold the talking piece; only the holder "
                "can be heard and nothing is recorded. Anyone can still follow and share in "
                "text. Off: the circle is text only."
            ),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
            "crisis_resources": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            del self.fields["slug"]
        else:
            del self.fields["agreements"]
            self.fields["slug"].required = True
        self.fields["retention_hours"].widget.attrs.update(RETENTION_HOURS.widget_attrs())
        self.fields["member_limit"].widget.attrs.update(MEMBER_LIMIT.widget_attrs())

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if name_is_taken(name, exclude_pk=self.instance.pk):
            raise forms.ValidationError(NAME_TAKEN.format(name=name), code="taken")
        return name

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip().lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"The address “{slug}” is reserved; choose another.")
        if Circle.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"The address “{slug}” is taken by another circle.")
        return slug

    def clean_retention_hours(self):
        hours = self.cleaned_data["retention_hours"]
        if not RETENTION_HOURS.low <= hours <= RETENTION_HOURS.high:
            raise forms.ValidationError(RETENTION_HOURS.message, code="out_of_range")
        return hours

    def clean_member_limit(self):
        limit = self.cleaned_data.get("member_limit")
        if limit is not None and not MEMBER_LIMIT.low <= limit <= MEMBER_LIMIT.high:
            raise forms.ValidationError(MEMBER_LIMIT.message, code="out_of_range")
        return limit

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("agreements", None)
        data.pop("topics", None)
        return data


class AgreementsForm(forms.Form):
    text = forms.CharField(
        label="Group agreements",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=AGREEMENTS_MAX_LENGTH,
        help_text=AGREEMENTS_HELP
        + " Saving a change creates a new version that every member is asked to accept.",
    )


class AcceptForm(forms.Form):
    """Accepting the agreements: the version read, and a tick that says so."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=LARGEST_VERSION)
    accept = forms.BooleanField(
        label="I have read the group agreements and I accept them.",
        error_messages={"required": "Please read the agreements and tick the box to accept them."},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX_LENGTH,
        validators=[validate_single_line],
        help_text="Recorded for moderation. The member does not see it.",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)


class MuteForm(forms.Form):
    DURATIONS = [("1", "1 hour"), ("24", "1 day"), ("168", "1 week")]
    hours = forms.TypedChoiceField(label="Mute for", choices=DURATIONS, coerce=int)
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX_LENGTH,
        required=False,
        validators=[validate_single_line],
    )


class InviteForm(forms.Form):
    LIFETIMES = [("1", "1 day"), ("7", "7 days"), ("30", "30 days")]
    days = forms.TypedChoiceField(
        label="The link works for", choices=LIFETIMES, coerce=int, initial="7"
    )
    single_use = forms.BooleanField(
        label="Single use: the link stops working once someone joins with it", required=False
    )

    @property
    def expires_in(self) -> timedelta:
        return timedelta(days=self.cleaned_data["days"])


class DiscoveryForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, max_length=100, validators=[validate_single_line]
    )
    topic = forms.ModelChoiceField(
        label="Topic",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All topics",
    )
