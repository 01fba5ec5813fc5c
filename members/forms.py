from django import forms
from django.core.exceptions import ValidationError

from members.models import TIME_ZONES, User
from members.names import MAX_LENGTH, normalize_display_name, validate_display_name

TIME_ZONE_CHOICES = [(zone, zone.replace("_", " ")) for zone in TIME_ZONES]
DISPLAY_NAME_HELP = (
    "The name other members see. Use a pseudonym if you like: it's never linked to your email."
)


def clean_unique_display_name(value: str, exclude_pk=None) -> str:
    name = normalize_display_name(value)
    validate_display_name(name)
    taken = User.objects.filter(display_name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError("Someone already uses that name. Please choose another.")
    return name


class SignupExtraForm(forms.Form):
    """Fields allauth adds to its sign-up form."""

    display_name = forms.CharField(
        max_length=MAX_LENGTH * 2,
        help_text=DISPLAY_NAME_HELP,
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
    display_name = forms.CharField(max_length=MAX_LENGTH * 2, help_text=DISPLAY_NAME_HELP)
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

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That password is not right. Please try again.")
        return password
