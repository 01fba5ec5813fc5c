"""Form rendering shared by every form in Hearth, allauth's included.

Each field renders with its label, help text and errors, and the input points at its
help and errors with ``aria-describedby`` so screen readers announce them.
"""

from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


class HearthBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors and self.auto_id:
            described = attrs.get("aria-describedby", "").split()
            described.insert(0, f"{self.auto_id}_errors")
            attrs["aria-describedby"] = " ".join(described)
            attrs["aria-invalid"] = "true"
        return attrs


class HearthFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = HearthBoundField
