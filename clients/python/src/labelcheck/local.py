"""The default server: ``LABELCHECK_URL``, an explicit client, or a local one started here.

Resolution order of :func:`get_client`:

1. the client given to :func:`set_client`;
2. ``LABELCHECK_URL`` (with ``LABELCHECK_API_KEY`` when the server needs a key);
3. a local server: ``labelcheck serve`` on a free loopback port, started on first use and
   stopped when Python exits (``atexit``). The CLI is found as ``LABELCHECK_CLI`` (a
   command line), else the ``dist/src/cli.js`` of the labelcheck checkout this package
   lives in (run with ``node``; ``npm run build`` makes it), else ``labelcheck`` on PATH,
   else ``npx --no-install labelcheck`` (a project where the npm package is installed).
"""
from __future__ import annotations

import atexit
import functools
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import List, Optional

import requests

from .client import Client
from .errors import ServerUnavailableError

READY_TIMEOUT_S = 120.0

_explicit: Optional[Client] = None
_local: Optional["LocalServer"] = None


def set_client(client: Optional[Client]) -> None:
    """Use ``client`` for every function of this package (``None``: back to the default)."""
    global _explicit
    _explicit = client


def get_client() -> Client:
    """The client the cleanlab-style functions use (see the module docstring for the order)."""
    global _local
    if _explicit is not None:
        return _explicit
    url = os.environ.get("LABELCHECK_URL")
    if url:
        return _env_client(url, os.environ.get("LABELCHECK_API_KEY") or None)
    if _local is None:
        _local = LocalServer.start()
    return _local.client


@functools.lru_cache(maxsize=4)
def _env_client(url: str, api_key: Optional[str]) -> Client:
    """One client (and connection pool) per LABELCHECK_URL / LABELCHECK_API_KEY value."""
    return Client(url, api_key)


def find_cli() -> Optional[List[str]]:
    """The command that runs the labelcheck CLI here, or None."""
    env = os.environ.get("LABELCHECK_CLI")
    if env:
        return shlex.split(env)
    node = shutil.which("node")
    for parent in Path(__file__).resolve().parents:
        cli = parent / "dist" / "src" / "cli.js"
        if node and cli.is_file() and (parent / "package.json").is_file():
            return [node, str(cli)]
    exe = shutil.which("labelcheck")
    if exe:
        return [exe]
    npx = shutil.which("npx")
    if npx:
        try:
            probe = subprocess.run([npx, "--no-install", "labelcheck", "--help"], capture_output=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if probe.returncode == 0:
            return [npx, "--no-install", "labelcheck"]
    return None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalServer:
    """A ``labelcheck serve`` child process on a loopback port, with its own data directory."""

    def __init__(self, process: subprocess.Popen, url: str, data_dir: tempfile.TemporaryDirectory) -> None:
        self.process = process
        self.url = url
        self.data_dir = data_dir
        self.client = Client(url)
        atexit.register(self.stop)

    @classmethod
    def start(cls, command: Optional[List[str]] = None, *, timeout: float = READY_TIMEOUT_S) -> "LocalServer":
        cmd = command or find_cli()
        if cmd is None:
            raise ServerUnavailableError(
                "no labelcheck server: set LABELCHECK_URL (or call labelcheck.set_client(Client(url, api_key))), "
                "or make the labelcheck CLI runnable here (node + a built checkout, `labelcheck` on PATH, or LABELCHECK_CLI)"
            )
        port = free_port()
        data_dir = tempfile.TemporaryDirectory(prefix="labelcheck-")
        # one user's server: no load shedding on event-loop delay (a busy laptop is not overload)
        env = {"MAX_EVENT_LOOP_DELAY_MS": "0", **os.environ, "PORT": str(port), "HOST": "127.0.0.1", "DATA_DIR": data_dir.name, "LOG_LEVEL": "warn"}
        env.pop("API_KEY", None)
        log = open(os.path.join(data_dir.name, "server.log"), "wb")
        process = subprocess.Popen([*cmd, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        server = cls(process, f"http://127.0.0.1:{port}", data_dir)
        server._wait_ready(timeout)
        return server

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if requests.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        log = self.log_tail()
        self.stop()
        raise ServerUnavailableError(f"the local labelcheck server did not become ready ({self.url}/readyz); its log:\n{log}")

    def log_tail(self, n: int = 4000) -> str:
        try:
            with open(os.path.join(self.data_dir.name, "server.log"), "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM (graceful), then SIGKILL after 10 s; removes the data directory."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.data_dir.cleanup()
        atexit.unregister(self.stop)
