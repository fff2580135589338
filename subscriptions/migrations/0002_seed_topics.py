"""Load the curated topics (subscriptions/topics_seed.json). Editable in the admin afterwards:
existing rows with the same slug are left as the operator changed them."""

import json
from pathlib import Path

from django.db import migrations

SEED = Path(__file__).resolve().parent.parent / "topics_seed.json"


def load_topics(apps, schema_editor):
    Topic = apps.get_model("subscriptions", "Topic")
    for position, item in enumerate(json.loads(SEED.read_text(encoding="utf-8")), start=1):
        Topic.objects.get_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "description": item.get("description", ""),
                "keywords": item.get("keywords", []),
                "categories": item.get("categories", []),
                "position": item.get("position", position * 10),
                "active": True,
            },
        )


def remove_topics(apps, schema_editor):
    Topic = apps.get_model("subscriptions", "Topic")
    slugs = [item["slug"] for item in json.loads(SEED.read_text(encoding="utf-8"))]
    Topic.objects.filter(slug__in=slugs, subscribers__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_initial")]

    operations = [migrations.RunPython(load_topics, remove_topics)]
