"""The admin shows what members wrote too, so it loads Hearth's wrapping rules
(static/css/admin.css; the browser journey tests/e2e/test_long_words_journey.py measures
them)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CircleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(staff):
    staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    return client


@pytest.mark.parametrize("page", ["index", "changelist", "change", "login"])
def test_every_kind_of_admin_page_loads_hearths_admin_stylesheet(admin_client, page):
    circle = CircleFactory()
    url = {
        "index": reverse("admin:index"),
        "changelist": reverse("admin:circles_circle_changelist"),
        "change": reverse("admin:circles_circle_change", args=[circle.pk]),
        "login": reverse("admin:login"),
    }[page]
    client = Client() if page == "login" else admin_client
    response = client.get(url)
    assert response.status_code == 200
    assert "css/admin.css" in response.content.decode()
