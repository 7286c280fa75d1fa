"""Several app servers on one PostgreSQL database and one Redis, as a clinic group would run them,
and what happens when the database or Redis goes away.

Runs when the suite runs on PostgreSQL (DATABASE_URL) with REDIS_URL, as CI's second run does:
it makes a throwaway database on that server, starts a Redis of its own (so it can stop it),
and starts two gunicorn servers on this checkout.
"""

import concurrent.futures
import contextlib
import http.cookiejar
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STAFF = ("clinic-staff", "a-long-staff-password-7")

pytestmark = pytest.mark.several_servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """A visitor with their own cookies, talking to one server."""

    def __init__(self, base: str, address: str = "198.51.100.1"):
        self.base = base
        self.address = address
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirects()
        )

    def request(self, path: str, data: dict | None = None, files: dict | None = None):
        headers = {"X-Forwarded-For": self.address, "Referer": self.base + path}
        body = None
        if files:
            body, content_type = multipart(data or {}, files)
            headers["Content-Type"] = content_type
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        # Our own local servers, over http.
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, path: str):
        return self.request(path)

    def post(self, path: str, data: dict, files: dict | None = None, form_page: str = ""):
        _, _, page = self.get(form_page or path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        return self.request(path, {**data, "csrfmiddlewaretoken": token.group(1).decode()}, files)

    def log_in(self) -> None:
        status, _, _ = self.post(
            "/admin/login/?next=/admin/", {"username": STAFF[0], "password": STAFF[1]}
        )
        assert status == 302, status

    def csrf_token(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Link:
    """A TCP connection to Redis passed through this process, which the tests can cut (every
    connection is dropped, with whatever is in flight, and new ones are closed at once) and mend."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut_off = False
        self.lock = threading.Lock()
        self.pairs: set[tuple[socket.socket, socket.socket]] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                if self.cut_off:
                    raise ConnectionRefusedError
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=1)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            pair = (client, upstream)
            with self.lock:
                self.pairs.add(pair)
            threading.Thread(target=self._pass_on, args=(pair,), daemon=True).start()

    def _pass_on(self, pair: tuple[socket.socket, socket.socket]) -> None:
        client, upstream = pair
        try:
            while True:
                readable, _, _ = select.select(pair, [], [], 1)
                for end in readable:
                    data = end.recv(65536)
                    if not data or self.cut_off:
                        return
                    (upstream if end is client else client).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self.lock:
                self.pairs.discard(pair)
            for end in pair:
                end.close()

    def cut(self) -> None:
        self.cut_off = True
        with self.lock:
            pairs = list(self.pairs)
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def mend(self) -> None:
        self.cut_off = False


class Cluster:
    """A throwaway database, a Redis of our own, and two gunicorn servers sharing both."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        server_url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        self.database = f"clinic_servers_{secrets.token_hex(4)}"
        self.admin_dsn = server_url._replace(path="/postgres").geturl()
        self.redis_port = free_port()
        # The servers reach Redis through a link the tests can cut.
        self.redis_link = Link(self.redis_port)
        self.ports = [free_port(), free_port()]
        self.mail = workdir / "mail"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))},
            "DATABASE_URL": server_url._replace(path=f"/{self.database}").geturl(),
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_link.port}/0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{self.ports[0]}",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(self.mail),
            "DJANGO_MEDIA_ROOT": str(workdir / "media"),
            "TRUSTED_PROXY_COUNT": "1",
            "WEB_CONCURRENCY": "2",
        }
        self.redis = None
        self.servers = []

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def start(self) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')
        self.start_redis()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("load_content")
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User, Group; "
            f"u = User.objects.create_user('{STAFF[0]}', password='{STAFF[1]}', is_staff=True); "
            "u.groups.add(Group.objects.get(name='Clinic editor'))",
        )
        for port in self.ports:
            self.servers.append(
                subprocess.Popen(
                    [str(Path(PYTHON).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
                    cwd=ROOT,
                    env={**self.env, "PORT": str(port)},
                    stdout=subprocess.DEVNULL,
                    stderr=open(self.workdir / f"server-{port}.log", "w"),  # noqa: SIM115
                    start_new_session=True,
                )
            )
        for url in self.urls:
            self.wait_for(url + "/healthz")

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)

    def stop_redis(self) -> None:
        self.redis.terminate()
        self.redis.wait(timeout=10)

    def redis_unreachable(self, away: bool) -> None:
        """The servers cannot reach Redis (as across a broken network), which keeps what it
        holds; whatever they send meanwhile is lost."""
        if away:
            self.redis_link.cut()
        else:
            self.redis_link.mend()

    def manage(self, *args: str) -> None:
        subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True
        )

    def database_away(self, away: bool) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(
                f'ALTER DATABASE "{self.database}" WITH ALLOW_CONNECTIONS {not away}'
            )
            if away:
                connection.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.database],
                )

    @staticmethod
    def wait_for(url: str) -> None:
        for _ in range(150):
            try:
                with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own server)
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer")

    def stop(self) -> None:
        for server in self.servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if self.redis and self.redis.poll() is None:
            self.stop_redis()
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not shutil.which("redis-server"):
        pytest.fail("these tests need redis-server (Debian package redis-server)")
    running = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        running.start()
        yield running
    finally:
        running.stop()


def served_from_cache(visitor: Browser, path: str, tries: int = 10) -> bool:
    """Whether the page comes from the cache within a few requests (each worker's connection to
    a Redis that has just come back fails once before it reconnects)."""
    return any(visitor.get(path)[1].get("X-Page-Cache") == "hit" for _ in range(tries))


def test_an_article_edited_through_one_server_is_fresh_on_the_other_at_once(cluster):
    one, other = cluster.urls
    visitor = Browser(other)
    assert "Looking after yourself" in visitor.get("/articles/aftercare/")[2].decode()
    assert visitor.get("/articles/aftercare/")[1]["X-Page-Cache"] == "hit"

    staff = Browser(one)
    staff.log_in()
    with psycopg.connect(cluster.env["DATABASE_URL"]) as connection:
        [article_id] = connection.execute(
            "SELECT id FROM articles_article WHERE slug = 'aftercare'"
        ).fetchone()
    status, _, _ = staff.post(
        "/admin/articles/article/", {"action": "unpublish", "_selected_action": str(article_id)}
    )

    assert status == 302
    assert visitor.get("/articles/aftercare/")[0] == 404


def test_the_sign_up_limit_counts_across_both_servers(cluster):
    one, other = cluster.urls
    answers = []
    for number in range(11):
        server = one if number % 2 else other
        visitor = Browser(server, address="203.0.113.50")
        status, _, _ = visitor.post(
            "/subscribe/", {"email": f"limit{number}@example.org", "consent": "on"}
        )
        answers.append(status)

    assert answers == [302] * 10 + [429]


def test_a_confirmation_link_made_by_one_server_works_on_the_other(cluster):
    one, other = cluster.urls
    Browser(one, address="203.0.113.60").post(
        "/subscribe/", {"email": "crossover@example.org", "consent": "on"}
    )
    sent = "\n".join(path.read_text() for path in cluster.mail.glob("*.log"))
    link = re.search(r"http://127\.0\.0\.1:\d+(/subscribe/confirm/[^\s]+/)", sent).group(1)

    status, _, page = Browser(other).post(link, {})

    assert status == 200
    assert "subscribed" in page.decode().lower()


def test_a_picture_uploaded_through_one_server_shows_on_the_other(cluster, picture):
    one, other = cluster.urls
    staff = Browser(one)
    staff.log_in()
    _, _, _ = staff.get("/admin/articles/article/add/")
    status, _, body = staff.request(
        "/markdownx/upload/",
        {"csrfmiddlewaretoken": staff.csrf_token()},
        files={"image": ("photo.png", picture("PNG"))},
    )
    address = re.search(rb"\((/media/uploads/[^)]+)\)", body).group(1).decode()

    shown = Browser(other).get(address)

    assert status == 200
    assert (shown[0], shown[1]["Content-Type"]) == (200, "image/png")


def test_two_hundred_sign_ups_from_twenty_clients_leave_one_row_each(cluster):
    addresses = [f"parallel{n}@example.org" for n in range(50)]

    def client(number: int) -> list[int]:
        server = cluster.urls[number % 2]
        statuses = []
        for attempt in range(10):
            visitor = Browser(server, address=f"192.0.2.{number + 1}")
            email = addresses[(number * 10 + attempt) % 50]
            statuses.append(visitor.post("/subscribe/", {"email": email, "consent": "on"})[0])
        return statuses

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        statuses = [status for result in pool.map(client, range(20)) for status in result]

    assert sorted(set(statuses)) == [302]
    with psycopg.connect(cluster.env["DATABASE_URL"]) as connection:
        rows = connection.execute(
            "SELECT count(*), count(DISTINCT email) FROM articles_subscriber "
            "WHERE email LIKE 'parallel%%'"
        ).fetchone()
    assert rows == (50, 50)


def test_when_redis_goes_away_pages_and_sign_ups_still_work_and_caching_comes_back(cluster):
    one, _ = cluster.urls
    visitor = Browser(one, address="203.0.113.70")
    cluster.stop_redis()

    page = visitor.get("/articles/what-is-dry-needling/")
    signup = visitor.post("/subscribe/", {"email": "noredis@example.org", "consent": "on"})

    assert (page[0], page[1]["X-Page-Cache"]) == (200, "miss")
    assert signup[0] == 302
    cluster.start_redis()
    assert served_from_cache(visitor, "/articles/what-is-dry-needling/")


def test_an_article_unpublished_while_redis_cannot_be_reached_stays_unpublished_after(cluster):
    one, _ = cluster.urls
    path = "/articles/how-dry-needling-works/"
    visitors = [Browser(url, address="203.0.113.90") for url in cluster.urls]
    assert all(served_from_cache(visitor, path) for visitor in visitors)
    staff = Browser(one)
    staff.log_in()
    with psycopg.connect(cluster.env["DATABASE_URL"]) as connection:
        [article_id] = connection.execute(
            "SELECT id FROM articles_article WHERE slug = 'how-dry-needling-works'"
        ).fetchone()

    cluster.redis_unreachable(True)
    try:
        status, _, _ = staff.post(
            "/admin/articles/article/",
            {"action": "unpublish", "_selected_action": str(article_id)},
        )
        during = visitors[1].get(path)[0]
    finally:
        cluster.redis_unreachable(False)
    after = [visitor.get(path)[0] for visitor in visitors for _ in range(4)]

    assert status == 302
    assert during == 404
    assert after == [404] * 8


def test_when_the_database_goes_away_cached_pages_stay_and_it_all_comes_back(cluster):
    one, _ = cluster.urls
    visitor = Browser(one, address="203.0.113.80")
    assert served_from_cache(visitor, "/articles/what-it-feels-like/")

    cluster.database_away(True)
    try:
        health = visitor.get("/healthz")
        cached = visitor.get("/articles/what-it-feels-like/")
        uncached = visitor.get("/search/?q=needle")
    finally:
        cluster.database_away(False)

    assert health[0] == 503
    assert cached[0] == 200
    assert uncached[0] == 503
    assert b"Please try again in a minute" in uncached[2]
    assert b"Traceback" not in uncached[2]
    assert visitor.get("/healthz")[0] == 200
    assert visitor.get("/search/?q=needle")[0] == 200
