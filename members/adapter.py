from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Set the pseudonym and zone before the first save (the name must be unique)."""
        user.display_name = form.cleaned_data["display_name"]
        user.time_zone = form.cleaned_data.get("time_zone") or "UTC"
        return super().save_user(request, user, form, commit=commit)
