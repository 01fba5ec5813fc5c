from django import forms
from django.core.exceptions import ValidationError

from members.models import TIME_ZONES, User
from members.names import NAME_TAKEN, normalize_display_name, validate_display_name
from members.text import validate_single_line

TIME_ZONE_CHOICES = [(zone, zone.replace("_", " ")) for zone in TIME_ZONES]
DISPLAY_NAME_HELP = (
    "The name other members see. Use a pseudonym if you like: it's never linked to your email."
)


def clean_unique_display_name(value: str, exclude_pk=None) -> str:
    name = normalize_display_name(value)
    validate_display_name(name)
    taken = User.with_name_like(name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(NAME_TAKEN, code="taken")
    return name


class SignupExtraForm(forms.Form):
    """Fields allauth adds to its sign-up form."""

    # No max_length here: validate_display_name says "40 characters" itself, after the
    # spaces are collapsed, and the browser never cuts what someone types.
    display_name = forms.CharField(
        help_text=DISPLAY_NAME_HELP,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES,
        initial="UTC",
        help_text="Meeting times are shown in this zone.",
        widget=forms.Select(attrs={"data-detect-time-zone": ""}),
    )

    def clean_display_name(self):
        return clean_unique_display_name(self.cleaned_data["display_name"])

    def signup(self, request, user):
        """allauth's hook after sign-up; the adapter already stored our fields."""


class SettingsForm(forms.ModelForm):
    display_name = forms.CharField(help_text=DISPLAY_NAME_HELP, validators=[validate_single_line])
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES, help_text="Meeting times are shown in this zone."
    )

    class Meta:
        model = User
        fields = ["display_name", "pronouns", "time_zone", "email_reminders", "no_follow_ups"]
        help_texts = {
            "pronouns": "Optional, for example she/her, they/them.",
            "email_reminders": "Send me reminders before meetings, and an email (without "
            "any of its words) when I have a message on Hearth.",
        }

    def clean_display_name(self):
        return clean_unique_display_name(
            self.cleaned_data["display_name"], exclude_pk=self.instance.pk
        )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To make sure it's you.",
    )
    confirm = forms.BooleanField(
        label="I understand this cannot be undone.",
    )

    def __init__(self, *args, user, handovers=(), **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if handovers:
            names = ", ".join(handover.name for handover in handovers)
            self.fields["pass_on"] = forms.BooleanField(
                label=f"I understand that {names} will be looked after by Hearth's staff "
                "until a new host is found.",
                error_messages={
                    "required": "Please tick this to say you understand, or hand the circle "
                    "over first (the links above).",
                },
            )
            self.order_fields(["password", "pass_on", "confirm"])

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That password is not right. Please try again.")
        return password
