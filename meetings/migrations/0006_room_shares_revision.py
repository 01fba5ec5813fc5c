from django.db import migrations, models

import meetings.room.models


def split_shares(apps, schema_editor):
    Room = apps.get_model("meetings", "Room")
    for room in Room.objects.all():
        room.shares = room.state.pop("shares", [])
        room.save(update_fields=["state", "shares"])


def merge_shares(apps, schema_editor):
    Room = apps.get_model("meetings", "Room")
    for room in Room.objects.all():
        room.state["shares"] = room.shares
        room.save(update_fields=["state"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_room_nudge_texts"),
    ]

    operations = [
        migrations.AddField(
            model_name="room",
            name="shares",
            field=models.JSONField(
                default=list, help_text="What the room knows of each share (never its text)."
            ),
        ),
        migrations.AddField(
            model_name="room",
            name="revision",
            field=models.PositiveBigIntegerField(
                default=meetings.room.models.first_revision,
                help_text="Rises with every change of the row: a server process reuses the "
                "state it decoded last while the revision is the same.",
            ),
        ),
        migrations.AlterField(
            model_name="room",
            name="state",
            field=models.JSONField(
                default=dict,
                help_text="The rules' RoomState.core_to_json(): everything but shares.",
            ),
        ),
        migrations.RunPython(split_shares, merge_shares),
    ]
