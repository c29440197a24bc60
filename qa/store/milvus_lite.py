"""A milvus-lite `.db` file, shared by every process of the machine that opens it.

milvus-lite runs the Milvus engine as a child process that holds the file; a second engine on the
same file is refused. pymilvus's own `.db` mode gives each process a private engine, so `qa build`
could not run while `qa serve` holds the file. Here the first process that opens the file hosts its
engine on a loopback port and says where in `.<name>.engine.json` beside it; every other process
(a build while the server runs, a second server) connects there. The engine lives as long as the
process that hosts it: it watches milvus-lite's lock file and stops when that process exits, even
by kill -9. A process that finds the engine gone hosts a new one (qa/store/milvus.py reconnects).
"""

from __future__ import annotations

import atexit
import fcntl
import importlib.util
import json
import os
import re
import socket
import subprocess
import time
from pathlib import Path

from ..errors import StoreError

_START_SECONDS = 60.0  # an engine answers within ~1 s; a loaded machine can take longer
_hosted: dict[Path, tuple[subprocess.Popen, object]] = {}  # db -> (engine, the open lock file)


def engine_uri(db: Path) -> str:
    """The http:// URI of the engine serving `db`, starting one in this process if none runs."""
    db = Path(db).absolute()
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,36}", db.name):
        raise StoreError(f"a milvus-lite file name must be at most 36 letters, digits, '.', '-' or '_', not {db.name!r}")
    if not db.parent.is_dir():
        raise StoreError(f"the folder of {db} does not exist: create it first")
    deadline = time.monotonic() + _START_SECONDS
    while True:
        uri = _running(db) or _host(db)
        if uri:
            return uri
        if time.monotonic() > deadline:  # another process holds the file but serves no engine
            raise StoreError(f"{db} is held by another process whose engine does not answer: stop that process")
        time.sleep(0.2)


def _info_path(db: Path) -> Path:
    return db.with_name(f".{db.name}.engine.json")


def _running(db: Path) -> str | None:
    try:
        info = json.loads(_info_path(db).read_text(encoding="utf-8"))
        host, port = info["host"], int(info["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        with socket.create_connection((host, port), timeout=1):
            return f"http://{host}:{port}"
    except OSError:
        return None  # left by a process that died; its successor rewrites it


def _host(db: Path) -> str | None:
    """Start the engine of `db` here, or None when another process holds the file (it is starting one)."""
    lock = open(db.with_name(f".{db.name}.lock"), "a")
    try:
        fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return None
    binaries = Path(importlib.util.find_spec("milvus_lite").submodule_search_locations[0]) / "lib"
    with socket.socket() as s:  # a free loopback port (the engine binds it a moment later)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(db.with_name(f".{db.name}.engine.log"), "ab")
    env = {**os.environ, "LD_LIBRARY_PATH": f"{binaries}:{os.environ.get('LD_LIBRARY_PATH', '')}"}
    # Its last argument is the lock file: the engine stops when this process's lock on it goes.
    engine = subprocess.Popen(
        [str(binaries / "milvus"), str(db), f"127.0.0.1:{port}", os.environ.get("LOG_LEVEL", "ERROR"), lock.name],
        env=env, cwd=str(db.parent), stdout=log, stderr=log, stdin=subprocess.DEVNULL,
    )
    log.close()
    deadline = time.monotonic() + _START_SECONDS
    while True:
        if engine.poll() is not None:
            lock.close()
            raise StoreError(f"the milvus-lite engine for {db} stopped at start (exit {engine.returncode}); see {db.parent / f'.{db.name}.engine.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                engine.kill()
                lock.close()
                raise StoreError(f"the milvus-lite engine for {db} did not answer within {_START_SECONDS:.0f} s") from None
            time.sleep(0.1)
    tmp = _info_path(db).with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps({"host": "127.0.0.1", "port": port, "pid": os.getpid(), "engine": engine.pid}), encoding="utf-8")
    os.replace(tmp, _info_path(db))
    _hosted[db] = (engine, lock)
    return f"http://127.0.0.1:{port}"


@atexit.register
def _stop_hosted() -> None:
    for db, (engine, lock) in list(_hosted.items()):
        _info_path(db).unlink(missing_ok=True)
        engine.terminate()
        try:
            engine.wait(10)
        except subprocess.TimeoutExpired:
            engine.kill()
        lock.close()
    _hosted.clear()
