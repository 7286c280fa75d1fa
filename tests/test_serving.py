"""The site as gunicorn serves it (gunicorn.conf.py, as `make run` and production start it): what
it does with headers a proxy may pass, with clients that send their headers slowly, and with a
second site started on the same machine.

Each server runs on a scratch SQLite database loaded with the shipped content, under the test
settings (pages from the app folders, a cache in each worker's memory), with a runtime folder of
its own, so that nothing here touches another server run by the same user.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import suppress
from pathlib import Path

import pytest
import yaml
from django.utils.html import escape

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    """One gunicorn started from gunicorn.conf.py, on the shared scratch database."""

    def __init__(self, env: dict, logs: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [GUNICORN, "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "PORT": str(self.port)},
            stdout=subprocess.DEVNULL,
            stderr=open(logs / f"server-{self.port}.log", "w"),  # noqa: SIM115
            start_new_session=True,
        )
        for _ in range(150):
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn on port {self.port} did not answer")

    def get(self, path: str, timeout: float = 10, **headers) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def raw(self, request: bytes) -> bytes:
        """Send a request exactly as written (headers urllib would not send) and read it all."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as connection:
            connection.sendall(request)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        return answer

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server_env(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("served")
    (work / "runtime").mkdir()
    env = {
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "EMAIL_", "REDIS_URL", "DATABASE_URL", "SITE_URL"))
        },
        "DJANGO_SETTINGS_MODULE": "clinic_site.test_settings",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "WEB_CONCURRENCY": "2",
        # Where gunicorn puts what it shares per user (its control socket, unless told
        # otherwise): a folder of the tests' own, never the real user's.
        "XDG_RUNTIME_DIR": str(work / "runtime"),
        "LOGS": str(work),
    }
    for command in (["migrate", "--noinput", "-v0"], ["load_content"]):
        subprocess.run(
            [PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return env


@pytest.fixture(scope="module")
def site(server_env):
    running = Site(server_env, Path(server_env["LOGS"]))
    yield running
    running.stop()


ARTICLE = "/articles/aftercare/"
# The shipped article's title, as its file says it today.
ARTICLE_HEADING = "<h1>{}</h1>".format(
    escape(yaml.safe_load((ROOT / "content" / "aftercare.md").read_text().split("---")[1])["title"])
)


def test_gunicorn_ignores_a_script_name_header_even_from_a_trusted_proxy(site):
    # 127.0.0.1 is the proxy address gunicorn.conf.py trusts by default (FORWARDED_ALLOW_IPS).
    answer = site.raw(
        f"GET {ARTICLE} HTTP/1.1\r\nHost: 127.0.0.1\r\nSCRIPT_NAME: {ARTICLE.rstrip('/')}\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    status, page = site.get(ARTICLE)

    assert answer.startswith(b"HTTP/1.1 200")
    assert ARTICLE_HEADING.encode() in answer
    assert (status, ARTICLE_HEADING in page) == (200, True)
    assert f'href="{ARTICLE}articles/' not in page


class SlowClient:
    """A connection that sends its request headers one byte at a time and never finishes."""

    def __init__(self, port: int, gap: float = 0.2):
        self.connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.stop = threading.Event()
        self.gap = gap
        self.thread = threading.Thread(target=self._dribble, daemon=True)
        self.thread.start()

    def _dribble(self) -> None:
        start = b"GET /articles/aftercare/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
        for byte in start + b"a" * 4000:
            if self.stop.wait(self.gap):
                return
            try:
                self.connection.send(bytes([byte]))
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.connection.close()


def seconds_to_answer(site: Site, path: str) -> float:
    started = time.monotonic()
    try:
        status, _ = site.get(path, timeout=5)
    except OSError:
        return float("inf")
    return time.monotonic() - started if status == 200 else float("inf")


def test_the_site_answers_while_two_clients_send_their_headers_slowly(site):
    slow = [SlowClient(site.port) for _ in range(2)]
    try:
        time.sleep(1)  # both are taken on by the server and half-way through their headers
        answers = [seconds_to_answer(site, path) for path in ("/healthz", "/healthz", ARTICLE)]
    finally:
        for client in slow:
            client.close()

    assert max(answers) < 2, answers


def control_sockets(pid: int) -> set[str]:
    """The paths of the unix sockets a process listens on (gunicorn's control socket)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with suppress(OSError):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    paths = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        # Num RefCount Protocol Flags Type St Inode Path; flag 00010000: listening
        if len(fields) == 8 and fields[3] == "00010000" and fields[6] in inodes:
            paths.add(fields[7])
    return paths


def listening_control_sockets(site: Site) -> set[str]:
    for _ in range(50):
        if paths := control_sockets(site.process.pid):
            return paths
        time.sleep(0.1)
    return set()


def test_two_sites_on_one_machine_each_keep_a_control_socket_of_their_own(site, server_env):
    other = Site(server_env, Path(server_env["LOGS"]))
    try:
        ours, theirs = listening_control_sockets(site), listening_control_sockets(other)
        on_disk = {path for path in ours | theirs if Path(path).is_socket()}
    finally:
        other.stop()

    assert len(ours) == len(theirs) == 1
    assert ours != theirs
    assert on_disk == ours | theirs


def test_an_article_unpublished_by_another_process_is_gone_from_every_worker_at_once(
    site, server_env
):
    path = "/articles/what-it-feels-like/"
    assert all(site.get(path)[0] == 200 for _ in range(6))  # each worker holds the page

    subprocess.run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            "from articles.models import Article; "
            "a = Article.objects.get(slug='what-it-feels-like'); a.status = 'draft'; a.save()",
        ],
        cwd=ROOT,
        env=server_env,
        check=True,
        capture_output=True,
    )

    assert [site.get(path)[0] for _ in range(6)] == [404] * 6
