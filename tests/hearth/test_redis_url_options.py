"""Every reader of REDIS_URL (the Django cache, the channel layer, Celery's broker) starts
and talks to Redis whatever options the URL carries: timeouts, a database number in the
path or the query, a password with odd characters, and TLS (rediss://) in either spelling
of ``ssl_cert_reqs``.

Each URL is read by the real settings in a fresh process, which then makes one round
trip through each reader. The password and TLS cases run against a redis-server of the
test's own on free ports, with a certificate authority made for the test.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured

from hearth.redis_url import parse_redis_url
from tests.servers import ROOT, free_port

pytestmark = pytest.mark.services

PASSWORD = "p@ss,w:rd/with;odd&chars"

PROBE = """
import asyncio, json
import django
django.setup()
from django.conf import settings

found = {}

def attempt(name, check):
    try:
        found[name] = {"ok": True, **check()}
    except Exception as error:
        found[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:400]}

def kwargs_of(pool):
    kwargs = pool.connection_kwargs
    return {
        "db": kwargs.get("db"),
        "socket_timeout": kwargs.get("socket_timeout"),
        "password": kwargs.get("password"),
        "ssl": any(klass.__name__ == "SSLConnection" for klass in pool.connection_class.__mro__),
    }

def cache():
    from django.core.cache import cache
    cache.set("probe", "stored", 30)
    assert cache.get("probe") == "stored"
    return kwargs_of(cache._cache.get_client(write=True).connection_pool)

def channel_layer():
    from channels.layers import get_channel_layer
    from channels_redis.utils import create_pool
    layer = get_channel_layer()
    async def round_trip():
        channel = await layer.new_channel("probe.")
        await layer.send(channel, {"type": "probe.ping"})
        return await layer.receive(channel)
    assert asyncio.run(round_trip())["type"] == "probe.ping"
    return kwargs_of(create_pool(layer.hosts[0]))

def broker():
    from hearth.celery import app
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=5)
        producer = conn.Producer()
        producer.publish({"probe": 1}, routing_key="hearth-probe", declare=[])
        return kwargs_of(conn.default_channel.client.connection_pool)

attempt("cache", cache)
attempt("channel_layer", channel_layer)
attempt("broker", broker)
print(json.dumps(found))
"""


def read_with(redis_url: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG"}}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "hearth.settings",
            "SECRET_KEY": "x" * 50,
            "HTTPS_ONLY": "0",
            "REDIS_URL": redis_url,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_every_reader_works(found: dict, **expected):
    failures = {name: reader["error"] for name, reader in found.items() if not reader["ok"]}
    assert failures == {}
    for name, reader in found.items():
        for key, value in expected.items():
            assert reader[key] == value, f"{name} has {key}={reader[key]!r}, not {value!r}"


def shared_redis() -> tuple[str, int]:
    url = os.environ.get("REDIS_URL")
    assert url, "run with make test (REDIS_URL names the test Redis)"
    parsed = parse_redis_url(url)
    return url.split("://", 1)[1].split("/", 1)[0], parsed.db


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("socket_timeout=30", {"socket_timeout": 30.0}),
        (
            "socket_connect_timeout=2&socket_keepalive=true&retry_on_timeout=yes"
            "&health_check_interval=15&max_connections=50&client_name=hearth",
            {},
        ),
    ],
)
def test_connection_options_reach_every_reader(query, expected):
    address, db = shared_redis()
    found = read_with(f"redis://{address}/{db}?{query}")
    assert_every_reader_works(found, db=db, **expected)


def test_the_database_may_be_named_in_the_query_instead_of_the_path():
    address, db = shared_redis()
    found = read_with(f"redis://{address}?db={db}")
    assert_every_reader_works(found, db=db)


# --- A Redis of the test's own: a password and TLS --------------------------------------


def make_certificates(directory: Path) -> dict[str, Path]:
    """A certificate authority and a server certificate for 127.0.0.1, signed by it."""
    now = datetime.datetime.now(datetime.UTC)

    def build(subject, issuer, public_key, signing_key, *, ca):
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
        return builder.sign(signing_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Hearth test CA")])
    ca_cert = build(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    server_cert = build(server_name, ca_name, server_key.public_key(), ca_key, ca=False)

    paths = {"ca": directory / "ca.pem", "cert": directory / "server.pem"}
    paths["key"] = directory / "server.key"
    paths["ca"].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory):
    """redis-server with a password, on a plain port and a TLS port of its own."""
    server = shutil.which("redis-server")
    assert server, "redis-server is needed (apt-get install redis-server)"
    directory = tmp_path_factory.mktemp("redis-tls")
    certificates = make_certificates(directory)
    plain, tls = free_port(), free_port()
    options = {
        "port": plain,
        "bind": "127.0.0.1",
        "tls-port": tls,
        "tls-cert-file": certificates["cert"],
        "tls-key-file": certificates["key"],
        "tls-ca-cert-file": certificates["ca"],
        "tls-auth-clients": "no",
        "requirepass": PASSWORD,
        "save": "",
        "appendonly": "no",
        "dir": directory,
    }
    process = subprocess.Popen(
        [server, *(part for key, value in options.items() for part in (f"--{key}", str(value)))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", tls), timeout=1).close()
                socket.create_connection(("127.0.0.1", plain), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, "redis-server did not start"
                assert time.monotonic() < deadline, "redis-server did not open its ports"
                time.sleep(0.1)
        yield {"plain": plain, "tls": tls, "ca": certificates["ca"]}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_password_with_odd_characters_reaches_every_reader(own_redis):
    url = f"redis://:{quote(PASSWORD, safe='')}@127.0.0.1:{own_redis['plain']}/2"
    found = read_with(f"{url}?socket_timeout=10")
    assert_every_reader_works(found, db=2, password=PASSWORD, ssl=False)


def test_a_username_and_password_reach_every_reader(own_redis):
    url = f"redis://default:{quote(PASSWORD, safe='')}@127.0.0.1:{own_redis['plain']}/4"
    found = read_with(url)
    assert_every_reader_works(found, db=4, password=PASSWORD)


@pytest.mark.parametrize("spelling", ["required", "CERT_REQUIRED"])
def test_rediss_with_a_checked_certificate_reaches_every_reader(own_redis, spelling):
    url = (
        f"rediss://:{quote(PASSWORD, safe='')}@127.0.0.1:{own_redis['tls']}/1"
        f"?ssl_cert_reqs={spelling}&ssl_ca_certs={quote(str(own_redis['ca']))}&socket_timeout=10"
    )
    found = read_with(url)
    assert_every_reader_works(found, db=1, ssl=True, socket_timeout=10.0)


def test_rediss_checks_the_certificate_for_every_reader_when_the_url_does_not_say(own_redis):
    """Without ssl_cert_reqs kombu would skip the check; here nobody trusts an unknown CA."""
    url = f"rediss://:{quote(PASSWORD, safe='')}@127.0.0.1:{own_redis['tls']}/1"
    found = read_with(url)
    assert {name: reader["ok"] for name, reader in found.items()} == {
        "cache": False,
        "channel_layer": False,
        "broker": False,
    }
    for reader in found.values():
        assert "certificate verify failed" in reader["error"].lower() or "SSL" in reader["error"]


# --- The parsing itself -----------------------------------------------------------------


def test_each_reader_gets_its_own_spelling():
    found = parse_redis_url(
        "rediss://:secret@redis.internal:6380?db=2&socket_timeout=7.5&ssl_cert_reqs=CERT_OPTIONAL"
        "&ssl_ca_certs=/etc/ssl/ca.pem&retry_on_timeout=on"
    )
    assert found.url == (
        "rediss://:secret@redis.internal:6380/2?socket_timeout=7.5&ssl_cert_reqs=optional"
        "&ssl_ca_certs=%2Fetc%2Fssl%2Fca.pem&retry_on_timeout=true"
    )
    assert found.broker_url == "rediss://:secret@redis.internal:6380/2"
    assert found.broker_transport_options == {"socket_timeout": 7.5, "retry_on_timeout": True}
    assert found.broker_use_ssl == {
        "ssl_cert_reqs": ssl.CERT_OPTIONAL,
        "ssl_ca_certs": "/etc/ssl/ca.pem",
    }
    assert found.db == 2


def test_a_plain_url_keeps_its_shape_and_gets_no_tls():
    found = parse_redis_url("redis://127.0.0.1:6379/0")
    assert found.url == "redis://127.0.0.1:6379/0"
    assert found.broker_url == "redis://127.0.0.1:6379/0"
    assert found.broker_transport_options == {}
    assert found.broker_use_ssl is None


def test_rediss_without_ssl_cert_reqs_requires_a_valid_certificate():
    found = parse_redis_url("rediss://redis.internal:6380/0")
    assert found.broker_use_ssl == {"ssl_cert_reqs": ssl.CERT_REQUIRED}
    assert "ssl_cert_reqs=required" in found.url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis://h:6379/0?socket_timout=5", "REDIS_URL has an option Hearth does not know"),
        ("redis://h:6379/0?socket_timeout=soon", "REDIS_URL has an invalid socket_timeout"),
        ("redis://h:6379/0?socket_timeout=0", "REDIS_URL has an invalid socket_timeout"),
        ("redis://h:6379/0?socket_timeout=5", "a shorter timeout would drop quiet rooms"),
        ("redis://h:6379/0?max_connections=0", "REDIS_URL has an invalid max_connections"),
        ("redis://h:6379/0?ssl_cert_reqs=required", "only a rediss:// (TLS) URL can use"),
        ("rediss://h:6379/0?ssl_cert_reqs=maybe", "REDIS_URL has an invalid ssl_cert_reqs"),
        ("redis://h:6379/cache", "REDIS_URL must name its database by number"),
        ("redis://h:6379/1?db=2", "REDIS_URL names two databases"),
        ("redis://h:6379/0?client_name=a&client_name=b", "REDIS_URL gives client_name twice"),
    ],
)
def test_a_url_no_reader_would_understand_stops_start_up_naming_it(url, message):
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL") as raised:
        parse_redis_url(url)
    assert message in str(raised.value)
