from django import template

from circles import permissions
from circles.rendering import crisis_resource_lines, render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.simple_tag
def can_manage(user, circle):
    return permissions.can_manage(user, circle)


@register.filter
def crisis_lines(text):
    """The crisis resources as lines of linked segments (see ``_crisis_resources.html``)."""
    return crisis_resource_lines(text)
