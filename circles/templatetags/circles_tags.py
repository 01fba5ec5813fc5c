from django import template

from circles import permissions
from circles.rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.simple_tag
def can_manage(user, circle):
    return permissions.can_manage(user, circle)
