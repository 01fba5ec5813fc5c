"""How every view answers a ``Refused``: one of three shapes, the same words and status.

- ``refused_redirect``: a form posted from a page elsewhere (a button, a small form): the
  refusal's message as a flash message, then back to that page; a ``forbidden`` one is
  the 403 page instead (the person lacks the role: there is nothing to go back and fix).
- ``refused_form``: a form the view renders again: the message as the form's error, and the
  status the page is answered with.
- ``refused_json``: a ``fetch`` that wants JSON: ``{"error": {"code", "message"}}``.

A refusal no view catches (a permission check on the way into a page) is answered by
``RefusalMiddleware``: the error page for its status, with its message.
"""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render

from hearth.refusal import Refused


def refused_redirect(request, refusal: Refused, to, *args, **kwargs):
    """Flash the refusal and redirect (``to`` as for ``django.shortcuts.redirect``), or
    the 403 page for a refusal of the person."""
    if refusal.status == 403:
        return refused_page(request, refusal)
    messages.error(request, refusal.message)
    return redirect(to, *args, **kwargs)


def refused_form(form, refusal: Refused, field: str | None = None) -> int:
    """Show the refusal on ``form`` (on ``field``, or the whole form); returns the status."""
    form.add_error(field, refusal.message)
    return refusal.status


def refused_json(refusal: Refused, status: int | None = None) -> JsonResponse:
    body = {"error": {"code": refusal.code, "message": refusal.message}}
    return JsonResponse(body, status=status or refusal.status)


ERROR_PAGES = {403: "errors/403.html", 404: "errors/404.html"}


def refused_page(request, refusal: Refused):
    template = ERROR_PAGES.get(refusal.status, "errors/400.html")
    return render(request, template, {"reason": refusal.message}, status=refusal.status)


class RefusalMiddleware:
    """Answers a ``Refused`` that escaped a view with ``refused_page``, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Refused):
            return refused_page(request, exception)
        return None
