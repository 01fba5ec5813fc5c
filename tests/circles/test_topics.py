import importlib

import pytest
from django.apps import apps

from circles.models import Topic

pytestmark = pytest.mark.django_db
seeding = importlib.import_module("circles.migrations.0003_seed_topics")

EXPECTED = [
    "Grief and loss",
    "Addiction recovery",
    "Anxiety",
    "Depression",
    "Caregiving",
    "Chronic illness",
    "Parenting",
    "LGBTQ+ support",
    "Trauma",
    "Loneliness",
]


def test_the_data_migration_seeds_the_ten_topics_and_is_safe_to_repeat():
    Topic.objects.all().delete()
    seeding.seed_topics(apps, None)
    seeding.seed_topics(apps, None)
    assert sorted(Topic.objects.values_list("name", flat=True)) == sorted(EXPECTED)
    assert Topic.objects.get(name="LGBTQ+ support").slug == "lgbtq-support"


def test_it_leaves_topics_an_admin_already_made_alone():
    Topic.objects.all().delete()
    Topic.objects.create(name="grief and loss", slug="grief")
    seeding.seed_topics(apps, None)
    assert Topic.objects.count() == 10
    assert Topic.objects.filter(slug="grief").exists()
