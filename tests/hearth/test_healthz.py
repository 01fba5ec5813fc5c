import pytest
from django.db import OperationalError
from django.test import override_settings

pytestmark = pytest.mark.django_db
DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_it_reports_every_service_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["channel_layer"] == "ok"


def test_the_broker_is_checked_when_one_is_configured(client):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        body = client.get("/healthz").json()
    assert body["checks"]["broker"] == "ok"


def test_a_cache_that_is_down_gives_503(client, monkeypatch):
    from django.core.cache.backends.redis import RedisCache

    from hearth import health

    monkeypatch.setattr(health, "cache", RedisCache(DEAD_REDIS, {}))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("down")
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["status"] == "unavailable"


def test_a_channel_layer_that_is_down_gives_503(client, monkeypatch):
    from channels_redis.core import RedisChannelLayer

    from hearth import health

    monkeypatch.setattr(health, "get_channel_layer", lambda: RedisChannelLayer(hosts=[DEAD_REDIS]))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"].startswith("down")


def test_a_database_that_is_down_gives_503(client, monkeypatch):
    from hearth import health

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down: OperationalError"


def test_a_broker_that_is_down_gives_503(client):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        from hearth.celery import app

        previous = app.conf.broker_url
        app.conf.broker_url = DEAD_REDIS
        try:
            response = client.get("/healthz")
        finally:
            app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("down")


def test_it_only_answers_get(client):
    assert client.post("/healthz").status_code == 405


class LentOutPool:
    """A connection pool every connection of which is lent out to requests."""

    max_size = 4

    def get_stats(self):
        return {"pool_size": 4, "pool_available": 0, "requests_waiting": 7}


def test_a_pool_busy_with_a_burst_is_busy_not_down(client, monkeypatch):
    from django.db import connections

    wrapper = type(connections["default"])
    monkeypatch.setattr(wrapper, "pool", property(lambda self: LentOutPool()))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == (
        "busy: all 4 connections in use, 7 requests waiting"
    )
