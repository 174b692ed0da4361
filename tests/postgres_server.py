"""A throwaway PostgreSQL server for the tests, started from the Debian binaries.

Each call to :func:`throwaway_postgres` runs its own server in its own folder, on its own
free port, so several can run at once (one per pytest-xdist worker, say).

``initdb`` and ``postgres`` refuse to run as root, and CI runs as root: then the server runs
as the ``postgres`` system user (or ``nobody``), which owns only the server's own folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

DATABASE = "test"
SETTINGS = {
    # Durability buys nothing for a database that is thrown away after the tests.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "listen_addresses": "'127.0.0.1'",
}
START_ATTEMPTS = 3  # another process may take the free port before the server binds it
TIMEOUT = 60.0


def find_postgres_bin() -> Path | None:
    """The bin folder of the newest PostgreSQL installed, else the one holding ``pg_ctl`` on PATH."""
    versions = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl") if p.parent.parent.name.isdigit()]
    if versions:
        return max(versions, key=lambda bin_dir: int(bin_dir.parent.name))
    on_path = shutil.which("pg_ctl")
    return Path(on_path).resolve().parent if on_path else None


def _server_user() -> pwd.struct_passwd:
    """Who runs the server: the current user, or an unprivileged account when we are root."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, and there is neither a postgres nor a nobody user to run PostgreSQL as")


def _hand_over(base_dir: Path, user: pwd.struct_passwd) -> None:
    """Gives ``base_dir`` to the server user, and lets it reach the folder.

    pytest makes its temporary folders ``0700`` and owned by root, so another user cannot even
    pass through them: each such parent gets search permission (``o+x``, not read) as well.
    """
    os.chown(base_dir, user.pw_uid, user.pw_gid)
    for parent in base_dir.resolve().parents:
        mode = parent.stat().st_mode
        if parent.stat().st_uid != user.pw_uid and not mode & stat.S_IXOTH:
            parent.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no server log)"


@contextmanager
def throwaway_postgres(base_dir: Path) -> Iterator[str]:
    """Starts a fresh server in ``base_dir``, yields the URL of an empty database, and stops the server after.

    The URL is ``postgresql+psycopg://USER@127.0.0.1:PORT/test``; USER is the server's superuser, and
    no password is needed (trust authentication). The unix socket is in ``base_dir`` too.
    """
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        raise RuntimeError(
            "PostgreSQL binaries not found in /usr/lib/postgresql/*/bin or on PATH: apt-get install postgresql"
        )
    user = _server_user()
    as_other = user.pw_uid != os.geteuid()
    base_dir.mkdir(parents=True, exist_ok=True)
    if as_other:
        _hand_over(base_dir, user)
    data, log = base_dir / "data", base_dir / "server.log"

    def run(program: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(bin_dir / program), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=TIMEOUT * 2,
            cwd=base_dir,  # the server user may not be allowed into our working folder
            user=user.pw_uid if as_other else None,
            group=user.pw_gid if as_other else None,
            extra_groups=[] if as_other else None,  # drop root's groups too
        )

    made = run("initdb", "-D", str(data), "-U", user.pw_name, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
    if made.returncode != 0:
        raise RuntimeError(f"initdb failed:\n{made.stdout}{made.stderr}")
    socket_dir = str(base_dir.resolve()).replace("'", "''")
    with (data / "postgresql.conf").open("a") as conf:
        conf.writelines(f"{name} = {value}\n" for name, value in SETTINGS.items())
        conf.write(f"unix_socket_directories = '{socket_dir}'\n")

    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            port = _free_port()
            started = run("pg_ctl", "start", "-D", str(data), "-l", str(log), "-o", f"-p {port}", "-w", "-t", "60")
            if started.returncode == 0:
                break
            if attempt == START_ATTEMPTS or "already in use" not in _log_tail(log):
                raise RuntimeError(f"PostgreSQL did not start:\n{started.stdout}{started.stderr}\n{_log_tail(log)}")
        _create_database(f"postgresql://{user.pw_name}@127.0.0.1:{port}/postgres", log)
        yield f"postgresql+psycopg://{user.pw_name}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if run("pg_ctl", "stop", "-D", str(data), "-m", "immediate", "-w").returncode != 0:
            _kill_postmaster(data, user)


def _kill_postmaster(data: Path, user: pwd.struct_passwd) -> None:
    """Stops the server by signal (SIGQUIT, what ``-m immediate`` sends) when ``pg_ctl stop`` cannot.

    That happens when a new pytest session, started meanwhile, made its temporary root ``0700`` again,
    so the server user can no longer reach the data folder, though the running server works on.
    """
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        if Path(f"/proc/{pid}").stat().st_uid == user.pw_uid:  # not some other process that got its pid
            os.kill(pid, signal.SIGQUIT)
    except (OSError, ValueError, IndexError):
        pass  # no server left to stop


def _create_database(admin_url: str, log: Path) -> None:
    """Creates the test database, once the server accepts connections over TCP."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f"CREATE DATABASE {DATABASE}")
                return
        except psycopg.OperationalError as error:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL does not accept connections: {error}\n{_log_tail(log)}") from error
            time.sleep(0.05)
