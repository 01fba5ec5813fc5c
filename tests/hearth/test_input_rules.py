"""Every field a person types has its rule: single-line text refuses control characters,
and every number has a range. These tests walk every form and every model of Hearth's
apps, so a field added later without its rule fails here."""

import inspect

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

import circles.forms
import meetings.followups.forms
import meetings.forms
import meetings.wellbeing.forms
import members.forms
import moderation.forms
from members.names import validate_display_name
from members.text import has_control_characters, validate_single_line

FORM_MODULES = [circles.forms, members.forms, meetings.forms, meetings.wellbeing.forms]
FORM_MODULES.append(moderation.forms)
FORM_MODULES.append(meetings.followups.forms)
APPS = ["members", "circles", "meetings", "moderation"]

# Model text fields that no person types on one line, and why.
NOT_TYPED_ON_ONE_LINE = {
    "members.User.email": "an EmailField: its validator refuses line breaks",
    "members.User.password": "a hash; the password itself is never stored",
    "members.User.time_zone": "chosen from a list",
    "members.User.name_key": "computed from the display name",
    "circles.Circle.name_key": "computed from the name",
    "circles.Circle.description": "a textarea: line breaks are welcome",
    "circles.Membership.reason": "also a moderator's message, written in a textarea",
    "meetings.Meeting.time_zone": "chosen from a list",
    "meetings.Meeting.cancel_reason": "a textarea; escaped in calendars",
    "meetings.MeetingSeries.time_zone": "chosen from a list",
    "meetings.Notification.text": "written by Hearth",
    "meetings.Notification.url": "written by Hearth",
    "meetings.CalendarFeed.token": "written by Hearth",
    "meetings.Share.display_name": "a copy of the author's validated name",
    "meetings.Share.content_warning": "arrives over the room's socket (docs/protocol.md)",
    "meetings.RoomConnection.server": "written by Hearth",
    "meetings.CommandRecord.ref": "arrives over the room's socket (docs/protocol.md)",
    "meetings.CommandRecord.fingerprint": "a hash written by the room's store",
    "meetings.CommandRecord.code": "a refusal code written by the room's store",
    "meetings.CommandRecord.message": "a refusal message written by the room's store",
    "meetings.FollowUpMessage.author_role": "written by Hearth from the author's role",
    "meetings.Room.status": "written by Hearth",
    "meetings.Strategy.text": "a textarea: line breaks are welcome",
    "moderation.Report.group_key": "written by Hearth",
    "moderation.Report.handled_by_name": "a copy of a validated name",
    "moderation.Report.outcome": "written by Hearth",
    "moderation.ModerationAction.actor_name": "a copy of a validated name",
    "moderation.ModerationAction.action": "a dotted name written by Hearth",
    "moderation.ModerationAction.target_name": "a copy of a validated name",
    "moderation.ModerationAction.circle_name": "a copy of a validated name",
    "moderation.ModerationAction.reason": "a moderator's message, written in a textarea",
    "moderation.Suspension.reason": "a moderator's message, written in a textarea",
    "moderation.SafetyEvent.user_name": "a copy of a validated name",
}

# Model numbers that nobody types, and why.
NOT_TYPED_NUMBERS = {
    "circles.Circle.agreements_version": "counted by Hearth",
    "circles.AgreementVersion.version": "counted by Hearth",
    "circles.Membership.accepted_version": "the version a member accepted",
    "circles.Invite.uses": "counted by Hearth",
    "meetings.Meeting.revision": "counted by Hearth",
    "meetings.Meeting.going_count": "counted by Hearth",
    "meetings.Room.revision": "counted by the room's store",
    "meetings.Room.seq": "counted by the room's store",
    "meetings.Room.next_deadline_turn": "written by the room's store",
    "meetings.Share.share_id": "numbered by the room",
    "meetings.Share.participant_id": "numbered by the room",
    "meetings.Share.turn_id": "numbered by the room",
    "meetings.Reaction.participant_id": "numbered by the room",
    "meetings.RoomConnection.participant_id": "numbered by the room",
    "meetings.CommandRecord.participant_id": "numbered by the room",
    "meetings.CheckIn.score": "chosen from five answers (CheckInForm)",
    "meetings.Strategy.helped_count": "counted by Hearth",
    "meetings.MeetingAgreement.version": "the version a member confirmed",
    "moderation.Report.object_id": "the id of the reported content",
    "moderation.Report.meeting_id": "an id written by Hearth",
    "moderation.ModerationAction.meeting_id": "an id written by Hearth",
    "moderation.SafetyEvent.meeting_id": "an id written by Hearth",
}


def form_classes():
    for module in FORM_MODULES:
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
            ):
                yield f"{module.__name__}.{name}", value


def typed_on_one_line(field) -> bool:
    return (
        isinstance(field, forms.CharField)
        and not isinstance(field, forms.EmailField | forms.SlugField | forms.URLField)
        and not isinstance(field.widget, forms.Textarea | forms.PasswordInput | forms.HiddenInput)
    )


FORM_TEXT_FIELDS = [
    pytest.param(form, name, id=f"{path}.{name}")
    for path, form in form_classes()
    for name, field in form.base_fields.items()
    if typed_on_one_line(field)
]
# Form numbers whose range another layer checks, and where.
RANGE_CHECKED_ELSEWHERE = {
    "moderation.forms.ActForm.hours": "a mute's or a suspension's range: moderation.actions",
}
FORM_NUMBER_FIELDS = [
    pytest.param(form, name, id=f"{path}.{name}")
    for path, form in form_classes()
    for name, field in form.base_fields.items()
    if isinstance(field, forms.IntegerField) and f"{path}.{name}" not in RANGE_CHECKED_ELSEWHERE
]


def model_fields(kind):
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.get_fields():
                if (
                    isinstance(field, kind)
                    and getattr(field, "editable", False)
                    and not getattr(field, "choices", None)
                    and not field.primary_key
                ):
                    yield f"{label}.{model.__name__}.{field.name}", field


MODEL_TEXT_FIELDS = [
    pytest.param(field, id=path)
    for path, field in model_fields(models.CharField)
    if path not in NOT_TYPED_ON_ONE_LINE
    and not isinstance(field, models.EmailField | models.SlugField)
]
MODEL_NUMBER_FIELDS = [
    pytest.param(field, id=path)
    for path, field in model_fields(models.IntegerField)
    if path not in NOT_TYPED_NUMBERS and not field.remote_field
]


def test_the_walk_finds_the_fields_it_is_meant_to():
    ids = {param.id for param in FORM_TEXT_FIELDS + FORM_NUMBER_FIELDS}
    assert "meetings.forms.MeetingForm.title" in ids
    assert "members.forms.SettingsForm.display_name" in ids
    assert "meetings.forms.MeetingForm.capacity" in ids
    model_ids = {param.id for param in MODEL_TEXT_FIELDS + MODEL_NUMBER_FIELDS}
    assert {"circles.Circle.name", "circles.Circle.member_limit"} <= model_ids


def model_field_of(form, name):
    """The model field behind a ModelForm's field: its validators run in the form too."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is None or name in form.declared_fields:
        return None
    return model._meta.get_field(name)


def refuses_control_characters(validators) -> bool:
    return validate_single_line in validators or validate_display_name in validators


@pytest.mark.parametrize(("form", "name"), FORM_TEXT_FIELDS)
def test_every_single_line_form_field_refuses_control_characters(form, name):
    behind = model_field_of(form, name)
    validators = form.base_fields[name].validators + (behind.validators if behind else [])
    assert refuses_control_characters(validators)


@pytest.mark.parametrize("field", MODEL_TEXT_FIELDS)
def test_every_single_line_model_field_refuses_control_characters(field):
    assert refuses_control_characters(field.validators)


@pytest.mark.parametrize(("form", "name"), FORM_NUMBER_FIELDS)
def test_every_number_in_a_form_has_a_range(form, name):
    field = form.base_fields[name]
    behind = model_field_of(form, name)
    if behind is not None:
        kinds = {type(validator) for validator in behind.validators}
        assert {MinValueValidator, MaxValueValidator} <= kinds
    else:
        assert field.min_value is not None and field.max_value is not None


@pytest.mark.parametrize("field", MODEL_NUMBER_FIELDS)
def test_every_number_on_a_model_has_a_range_with_a_message(field):
    kinds = {type(validator) for validator in field.validators}
    assert {MinValueValidator, MaxValueValidator} <= kinds
    for validator in field.validators:
        if isinstance(validator, MinValueValidator | MaxValueValidator):
            assert not validator.message.startswith("Ensure"), "a message in plain words"


@pytest.mark.parametrize(
    "value",
    ["two\nlines", "carriage\rreturn", "nul\x00byte", "bell\x07", "del\x7f", "c1\x85", "\u2028"],
)
def test_control_characters_are_refused_on_one_line(value):
    assert has_control_characters(value)
    with pytest.raises(ValidationError, match="one line"):
        validate_single_line(value)


@pytest.mark.parametrize("value", ["Tuesday circle", "Zoë's circle · 7 pm", "木曜日の会", ""])
def test_ordinary_text_is_accepted_on_one_line(value):
    validate_single_line(value)
