import sys

from django.shortcuts import redirect, render

from hearth.busy import busy_response, is_database_busy


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
    """The 500 handler; a request that found no database connection free gets the calm
    busy page (503) instead, whichever middleware reached the database first."""
    if is_database_busy(sys.exc_info()[1]):
        return busy_response(request)
    return render(request, "errors/500.html", status=500)
