"""Seed the topics Hearth starts with; admins add more in the admin."""

from django.db import migrations

TOPICS = [
    (
        "grief-and-loss",
        "Grief and loss",
        "Living with the death of someone close, or other losses.",
    ),
    ("addiction-recovery", "Addiction recovery", "Staying sober or clean, one day at a time."),
    ("anxiety", "Anxiety", "Worry, panic and fear that get in the way of living."),
    ("depression", "Depression", "Low mood, emptiness and the days that are hard to start."),
    ("caregiving", "Caregiving", "Caring for a partner, parent, child or friend."),
    ("chronic-illness", "Chronic illness", "Living with a long-term illness or pain."),
    ("parenting", "Parenting", "The joys and strains of raising children."),
    ("lgbtq-support", "LGBTQ+ support", "Support among lesbian, gay, bi, trans and queer people."),
    ("trauma", "Trauma", "Living after experiences that overwhelmed us."),
    ("loneliness", "Loneliness", "Feeling alone, and finding connection again."),
]


def seed_topics(apps, schema_editor):
    Topic = apps.get_model("circles", "Topic")
    for slug, name, description in TOPICS:
        if (
            not Topic.objects.filter(slug=slug).exists()
            and not Topic.objects.filter(name__iexact=name).exists()
        ):
            Topic.objects.create(slug=slug, name=name, description=description)


class Migration(migrations.Migration):
    dependencies = [
        ("circles", "0002_invite_links"),
    ]

    operations = [
        migrations.RunPython(seed_topics, migrations.RunPython.noop),
    ]
