"""Starting lists for crisis phrases and blocked words (see moderation/defaults.py);
staff edit them in the admin."""

from django.db import migrations

from moderation.defaults import BLOCKED_WORDS, CRISIS_PHRASES, seed_lists


def seed(apps, schema_editor):
    seed_lists(
        apps.get_model("moderation", "CrisisPhrase"), apps.get_model("moderation", "BlockedWord")
    )


def unseed(apps, schema_editor):
    CrisisPhrase = apps.get_model("moderation", "CrisisPhrase")
    BlockedWord = apps.get_model("moderation", "BlockedWord")
    for language, phrases in CRISIS_PHRASES.items():
        CrisisPhrase.objects.filter(language=language, phrase__in=phrases).delete()
    BlockedWord.objects.filter(word__in=BLOCKED_WORDS).delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0002_append_only_trigger")]

    operations = [migrations.RunPython(seed, unseed)]
