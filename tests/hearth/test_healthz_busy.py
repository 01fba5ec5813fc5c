"""``/healthz`` on a busy process: it answers within its budget whatever a service does,
and its channel-layer probe is not held up by the sockets that wait on the layer."""

import asyncio
import threading

import pytest
from channels.layers import channel_layers, get_channel_layer

from hearth import health

pytestmark = pytest.mark.django_db


def test_a_check_that_hangs_counts_as_down_and_the_others_still_answer(client, monkeypatch):
    release = threading.Event()
    monkeypatch.setitem(health.CHECKS, "cache", lambda: release.wait(10))
    try:
        response = client.get("/healthz")
    finally:
        release.set()
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"] == f"down: no answer within {health.CHECK_SECONDS} s"
    assert checks["database"] == "ok"
    assert checks["channel_layer"] == "ok"


def test_the_channel_layer_probe_gets_through_while_a_socket_waits_on_the_layer():
    """A room socket's consumer blocks on Redis for its process's messages; the probe's
    own message must reach it through that same wait (a channel of another prefix would
    wait until the socket got a message, or forever in a quiet room)."""

    async def scenario():
        channel_layers.backends.clear()
        layer = get_channel_layer()
        socket_channel = await layer.new_channel()
        waiting = asyncio.create_task(layer.receive(socket_channel))
        await asyncio.sleep(0.2)  # the socket's receive now holds the layer's Redis wait
        try:
            return await health._run(health.check_channel_layer)
        finally:
            waiting.cancel()
            await asyncio.gather(waiting, return_exceptions=True)
            await layer.close_pools()
            channel_layers.backends.clear()

    assert asyncio.run(scenario()) == "ok"
