"""How many SQL statements a bench server process has run, for the meeting bench.

Every database connection the process opens gets an execute wrapper that counts. On
``SIGUSR1`` the process writes the count to ``query_count_path(pid)``, so the bench can
read each server's count at the start and end of a phase without asking it over HTTP
(which would itself query)."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from django.db.backends.signals import connection_created

_lock = threading.Lock()
_count = 0


def query_count_path(pid: int) -> Path:
    return Path(f"/tmp/hearth-bench-queries-{pid}")  # noqa: S108 - a local benchmark's file


def _counted(execute, sql, params, many, context):
    global _count
    with _lock:
        _count += 1
    return execute(sql, params, many, context)


def _count_queries_of(sender, connection, **kwargs) -> None:
    if _counted not in connection.execute_wrappers:
        connection.execute_wrappers.append(_counted)


def _write_count(signum, frame) -> None:
    query_count_path(os.getpid()).write_text(str(_count))


connection_created.connect(_count_queries_of)
if threading.current_thread() is threading.main_thread():
    signal.signal(signal.SIGUSR1, _write_count)
