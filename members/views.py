import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from hearth.ratelimits import rate_limited
from members import dashboard, deletion
from members.actions import delete_account
from members.data import export_member_data
from members.forms import DeleteAccountForm, SettingsForm


@login_required
@require_GET
def home(request):
    return render(request, "members/home.html", {"panels": dashboard.panels_for(request)})


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("account")
def settings_view(request):
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your settings are saved.")
        return redirect("members:settings")
    return render(request, "members/settings.html", {"form": form})


@login_required
@require_GET
def export_data(request):
    data = export_member_data(request.user)
    stamp = timezone.now().strftime("%Y-%m-%d")
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="hearth-my-data-{stamp}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("account")
def delete_account_view(request):
    handovers = deletion.handovers_of(request.user)
    form = DeleteAccountForm(request.POST or None, user=request.user, handovers=handovers)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user)
        messages.success(request, "Your account and personal data have been deleted. Take care.")
        return redirect("home")
    return render(request, "members/delete_account.html", {"form": form, "handovers": handovers})
