"""Real servers for the reliability runs: gunicorn with several workers, and a private
PostgreSQL cluster (``initdb``/``pg_ctl`` in a temporary directory, on its own port)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "test-artifacts" / "servers"
# What the app servers of a run share with the test process that checks them.
SERVER_ENV = {"FLASK_CONFIG": "development", "SECRET_KEY": "reliability-run-secret-key",
              "AUDIT_HMAC_KEY": "testing-audit-key", "IDLE_TIMEOUT_MINUTES": "60"}


def initdb_missing() -> str | None:
    """Return why a private cluster cannot be started here, or None when it can."""
    if not (PG_BIN / "initdb").exists():
        return f"initdb is not installed in {PG_BIN} (Debian package postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: initdb refuses to run as root"
    return None


def _as_postgres(command: list[str]) -> list[str]:
    """Run ``command`` as the postgres user when we are root (PostgreSQL refuses root)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivateCluster:
    """A throw-away PostgreSQL cluster: trust authentication, 127.0.0.1 only, one port."""

    def __init__(self, port: int):
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="trd-pg-"))
        self.data = self.directory / "data"
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        subprocess.run(_as_postgres(list(command)), check=True, capture_output=True, timeout=120)

    def init(self) -> PrivateCluster:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "--no-sync")
        return self.start()

    def start(self) -> PrivateCluster:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={self.directory} -c max_connections=100")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.directory / "server.log"), "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "postgres", name)
        return self.url(name)

    def tool(self, name: str, *args: str) -> subprocess.CompletedProcess:
        """Run a client program of this PostgreSQL version (pg_dump, pg_restore) against it."""
        return subprocess.run([str(PG_BIN / name), "-h", "127.0.0.1", "-p", str(self.port),
                               "-U", "postgres", *args], check=True, capture_output=True,
                              timeout=300)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # stopped already
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def gunicorn(database_url: str, port: int, workers: int = 4):
    """Serve the app with gunicorn on 127.0.0.1:``port`` until the block ends."""
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url}
    env.pop("TEST_DATABASE_URL", None)
    LOGS.mkdir(parents=True, exist_ok=True)
    log = open(LOGS / f"gunicorn-{port}.log", "w")  # noqa: SIM115  (kept to read after a failure)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--timeout", "60", "tracker:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(port, process, log.name)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(port: int, process: subprocess.Popen, log: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {Path(log).read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer on port {port} within 60 s")
