"""A throwaway PostgreSQL server for the tests, started from the Debian binaries.

PostgreSQL refuses to run as root, and CI runs as root: then the server runs as the
``postgres`` system user (or ``nobody``), owning only its temporary data folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg


def find_postgres_bin() -> Path | None:
    """The bin folder of the newest PostgreSQL on the machine."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).resolve().parent if on_path else None


def _server_user() -> pwd.struct_passwd | None:
    """Who the server runs as: None for the current user, else an unprivileged account."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, and there is no postgres or nobody user to run PostgreSQL as")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server_folder(prefix: str) -> Iterator[Path]:
    """A folder for a throwaway server's files, removed after: not under pytest's own, which only root may enter,
    for the server may run as another user."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def throwaway_postgres(base_dir: Path) -> Iterator[str]:
    """Starts a fresh server in ``base_dir``; yields the URL of an empty database; stops it after."""
    with _primary(base_dir) as (url, _):
        yield url


@contextmanager
def throwaway_standby(base_dir: Path) -> Iterator[tuple[str, str, str]]:
    """A primary and its hot standby (streaming replication, ``pg_basebackup -R``) on loopback ports.

    Yields the URL of the primary's database, the same database on the standby, and an administrator's
    URL of the standby (to pause and resume its replay); stops both after.
    """
    standby_dir = base_dir / "standby"
    standby_dir.mkdir(parents=True, exist_ok=True)
    user = _server_user()
    if user is not None:  # the server's user makes both servers' folders in it
        for folder in (base_dir, standby_dir):
            os.chown(folder, user.pw_uid, user.pw_gid)
    with _primary(base_dir / "primary", replica=True) as (url, as_server):
        primary_port = url.rsplit(":", 1)[1].split("/")[0]
        name = url.split("//")[1].split("@")[0]
        copied = as_server(
            "pg_basebackup", "-D", str(standby_dir / "data"), "-R", "-X", "stream", "-h", "127.0.0.1",
            "-p", primary_port, "-U", name, "--no-sync",
        )  # fmt: skip
        if copied.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed: {copied.stderr[-2000:]}")
        port, log = _free_port(), standby_dir / "server.log"
        options = f"-p {port} -k {standby_dir} -c listen_addresses=127.0.0.1 -c hot_standby=on -c fsync=off -c max_connections=200"
        started = as_server("pg_ctl", "-D", str(standby_dir / "data"), "-o", options, "-l", str(log), "-w", "start")
        try:
            if started.returncode != 0:
                tail = log.read_text()[-2000:] if log.exists() else ""
                raise RuntimeError(f"the standby did not start: {started.stderr}\n{tail}")
            yield url, url.replace(f":{primary_port}/", f":{port}/"), f"postgresql://{name}@127.0.0.1:{port}/postgres"
        finally:
            as_server("pg_ctl", "-D", str(standby_dir / "data"), "-m", "immediate", "stop")


Server = Callable[..., subprocess.CompletedProcess[str]]


@contextmanager
def _primary(base_dir: Path, *, replica: bool = False) -> Iterator[tuple[str, Server]]:
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL binaries not found: apt-get install postgresql (make test installs it)")
    user = _server_user()
    data, log = base_dir / "data", base_dir / "server.log"
    base_dir.mkdir(parents=True, exist_ok=True)
    if user is not None:
        os.chown(base_dir, user.pw_uid, user.pw_gid)

    def as_server(*args: str) -> subprocess.CompletedProcess[str]:
        command = [str(bin_dir / args[0]), *args[1:]]
        if user is not None:
            command = ["runuser", "-u", user.pw_name, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)

    name = user.pw_name if user else pwd.getpwuid(os.geteuid()).pw_name
    made = as_server("initdb", "-D", str(data), "-A", "trust", "-U", name, "-E", "UTF8", "--no-sync")
    if made.returncode != 0:
        raise RuntimeError(f"initdb failed: {made.stderr[-2000:]}")
    port = _free_port()
    # wal_level=replica (with full pages for a base backup) and the loopback replication lines of initdb's pg_hba.conf let a standby follow it.
    options = (
        f"-p {port} -k {base_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        f"-c full_page_writes={'on' if replica else 'off'} -c max_connections=200 -c shared_buffers=64MB "
        "-c wal_level=replica"
    )
    started = as_server("pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60", "start")
    try:
        if started.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{tail}")
        admin = f"postgresql://{name}@127.0.0.1:{port}/postgres"
        for _ in range(100):
            try:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute("CREATE DATABASE scrutiny")
                break
            except psycopg.OperationalError:
                time.sleep(0.1)
        yield f"postgresql+psycopg://{name}@127.0.0.1:{port}/scrutiny", as_server
    finally:
        as_server("pg_ctl", "-D", str(data), "-m", "immediate", "stop")
