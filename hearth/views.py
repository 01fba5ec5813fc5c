from django.shortcuts import redirect, render


def home(request):
    if request.user.is_authenticated:
        return redirect("members:home")
    return render(request, "home.html")


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def server_error(request):
    return render(request, "errors/500.html", status=500)
