from datetime import UTC, datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from circles.models import Membership
from meetings.actions import FOLLOWING, THIS, MeetingDraft
from meetings.models import (
    CAPACITY,
    DURATION_MINUTES,
    OPENS_MINUTES_BEFORE,
    TURN_SECONDS,
    Meeting,
    MeetingSeries,
)
from meetings.room.limits import DEFAULT_TURN_SECONDS
from meetings.series import zone_of
from members.forms import TIME_ZONE_CHOICES
from members.models import User
from members.text import validate_single_line

LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
APPLY_CHOICES = [(THIS, "This meeting only"), (FOLLOWING, "This and all following meetings")]


class LocalDateTimeField(forms.Field):
    """A wall-clock date and time, without a zone: the form pairs it with the chosen zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {"invalid": "Enter a date and time, for example 2026-12-01 19:00."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        for fmt in LOCAL_FORMATS:
            try:
                parsed = datetime.strptime(str(value).strip(), fmt)  # noqa: DTZ007 - local on purpose
            except ValueError:
                continue
            if not 2000 <= parsed.year <= 2100:
                break
            return parsed
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def aware_in_zone(local: datetime, zone_name: str) -> datetime:
    """``local`` wall time in ``zone_name``; refuses a time the clocks skip over."""
    zone = zone_of(zone_name)
    aware = local.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        raise ValidationError(
            "That time does not exist in this time zone (the clocks change then). "
            "Please choose another.",
            code="nonexistent",
        )
    return aware


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=120, validators=[validate_single_line])
    description = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the meeting is about. Members see it before they answer.",
    )
    facilitators = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Chosen among the circle's facilitators and hosts.",
    )
    starts_at = LocalDateTimeField(label="Starts at")
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES, help_text="The start is in this zone; each member sees theirs."
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", initial=60, **DURATION_MINUTES.form_bounds()
    )
    capacity = forms.IntegerField(
        required=False,
        help_text="Leave empty for no limit. Facilitators do not count.",
        **CAPACITY.form_bounds(),
    )
    opens_minutes_before = forms.IntegerField(
        label="Room opens (minutes before the start)",
        initial=10,
        **OPENS_MINUTES_BEFORE.form_bounds(),
    )
    room_mode = forms.ChoiceField(
        label="How the talking piece moves",
        choices=Meeting.RoomMode.choices,
        initial=Meeting.RoomMode.ROUND,
    )
    turn_seconds = forms.IntegerField(
        label="Seconds per turn", initial=DEFAULT_TURN_SECONDS, **TURN_SECONDS.form_bounds()
    )
    repeat = forms.ChoiceField(
        required=False,
        choices=[("", "Does not repeat"), *MeetingSeries.Frequency.choices],
    )
    repeat_until = forms.DateField(
        required=False,
        label="Repeat until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: the last day of the series.",
    )
    apply_to = forms.ChoiceField(
        choices=APPLY_CHOICES, initial=THIS, widget=forms.RadioSelect, label="Apply the change to"
    )

    def __init__(self, *args, circle, user, meeting: Meeting | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.circle, self.user, self.meeting = circle, user, meeting
        self.fields["facilitators"].queryset = User.objects.filter(
            memberships__circle=circle,
            memberships__state=Membership.State.ACTIVE,
            memberships__role__in=[Membership.Role.FACILITATOR, Membership.Role.HOST],
        ).order_by("display_name")
        self.fields["facilitators"].label_from_instance = lambda person: person.display_name
        if meeting is None:
            del self.fields["apply_to"]
            self.fields["time_zone"].initial = user.time_zone
            self.fields["facilitators"].initial = [user.pk]
        else:
            del self.fields["repeat"], self.fields["repeat_until"]
            if meeting.series_id is None:
                del self.fields["apply_to"]
            local = timezone.localtime(meeting.starts_at, zone_of(meeting.time_zone))
            self.initial.update(
                {
                    "title": meeting.title,
                    "description": meeting.description,
                    "facilitators": [person.pk for person in meeting.facilitators.all()],
                    "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
                    "time_zone": meeting.time_zone,
                    "duration_minutes": meeting.duration_minutes,
                    "capacity": meeting.capacity,
                    "opens_minutes_before": meeting.opens_minutes_before,
                    "room_mode": meeting.room_mode,
                    "turn_seconds": meeting.turn_seconds,
                }
            )

    def clean(self):
        cleaned = super().clean()
        local, zone_name = cleaned.get("starts_at"), cleaned.get("time_zone")
        if local is not None and zone_name:
            try:
                cleaned["starts_at_aware"] = aware_in_zone(local, zone_name)
            except ValidationError as error:
                self.add_error("starts_at", error)
                return cleaned
            unchanged = self.meeting is not None and (
                cleaned["starts_at_aware"] == self.meeting.starts_at
            )
            if not unchanged and cleaned["starts_at_aware"] <= timezone.now():
                self.add_error(
                    "starts_at", "The start is in the past. Please choose a time still to come."
                )
        until_day = cleaned.get("repeat_until")
        if until_day is not None and not cleaned.get("repeat"):
            self.add_error("repeat_until", "Choose how often it repeats, or leave this empty.")
        elif until_day is not None and zone_name and "starts_at_aware" in cleaned:
            end_of_day = datetime.combine(until_day + timedelta(days=1), time.min)
            cleaned["until"] = end_of_day.replace(tzinfo=zone_of(zone_name))
            if cleaned["until"] <= cleaned["starts_at_aware"]:
                self.add_error("repeat_until", "The series must end after its first meeting.")
        return cleaned

    def draft(self) -> MeetingDraft:
        data = self.cleaned_data
        return MeetingDraft(
            title=data["title"],
            description=data.get("description", ""),
            facilitators=list(data["facilitators"]),
            starts_at=data["starts_at_aware"],
            time_zone=data["time_zone"],
            duration_minutes=data["duration_minutes"],
            capacity=data.get("capacity"),
            opens_minutes_before=data["opens_minutes_before"],
            room_mode=data["room_mode"],
            turn_seconds=data["turn_seconds"],
        )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to everyone who said they are going or is on the waitlist.",
    )
    apply_to = forms.ChoiceField(
        choices=APPLY_CHOICES, initial=THIS, widget=forms.RadioSelect, label="Cancel"
    )

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting.series_id is None:
            del self.fields["apply_to"]
