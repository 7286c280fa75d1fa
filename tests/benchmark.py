"""`make bench`: how fast the site serves and loads content, measured as a user would run it.

Starts the site under the production settings (gunicorn with gunicorn.conf.py and 2 workers)
on a site of the shipped articles and 1,000 generated ones as realistic as they are (each a
shipped article's sections, lists, tags, blocks, risk figures and footnotes, about 700 words,
with a title, tags and first lines of its own), and measures with wrk at 16 connections:

- on SQLite with the default cache (the file cache `make run` uses): the stylesheet, an article
  page, the home page, searches (one query again and again, a misspelt several-word one, and a
  different query each time), every public page in turn, every page in turn in the seconds
  after a staff save has made every cached page stale, and an article page rendered afresh
  each time (a visitor with a session is never served from the cache), on this site and on
  one of the 8 shipped articles alone;
- on PostgreSQL with Redis, as several app servers run it (when PostgreSQL answers at
  BENCH_DATABASE_SERVER, default postgres://postgres@127.0.0.1:5432, and Redis at
  BENCH_REDIS_URL, default redis://127.0.0.1:6379/11, a database this empties): the stylesheet,
  an article page, and every page in turn.

Each is measured for BENCH_SECONDS (default 6) in each of BENCH_ROUNDS rounds (default 2: all
of them, then all again) and the better round kept, so that another process busy for a while on
a shared machine spoils one round, not the comparison. Each is printed with requests per second,
p50 and p99, and its throughput as a share of the stylesheet's in the same run. Then it times load_content on 1,000 new generated articles and
on the same files unchanged, each a `manage.py` run as a user would start it, and reports each
gunicorn worker's peak memory. It prints numbers; it asserts nothing.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CONNECTIONS = 16
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
GENERATED = 1000
DATABASE_SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
TOPICS = [
    "neck pain",
    "low back pain",
    "shoulder pain",
    "knee pain",
    "heel pain",
    "headaches",
    "tennis elbow",
    "jaw pain",
    "hip pain",
    "sports injuries",
    "posture",
    "sleep",
    "exercise",
    "older adults",
    "runners",
    "office work",
    "arthritis",
    "sciatica",
    "whiplash",
    "pregnancy",
]
CYCLE_SCRIPT = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""
DISTINCT_SEARCH = """
local words = {"needle", "sore", "bruise", "neck", "shoulder", "risk", "exercise", "pain",
  "muscle", "twitch", "trigger", "acupuncture", "appointment", "aftercare", "safety"}
local n = 0
request = function()
  n = n + 1
  local q = words[(n % #words) + 1] .. "+" .. words[((n * 7) % #words) + 1] .. "+" .. n
  return wrk.format("GET", "/search/?q=" .. q)
end
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk (make bench installs it)")
    work = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
    try:
        small = Site(work / "small", articles=0)
        small.prepare()
        with small.serving() as server:
            rendered_small = best_of_rounds([("", lambda: server.wrk(server.article, True))])[0][1]
        big = Site(work / "big", articles=GENERATED)
        big.prepare()
        with big.serving() as server:
            default = server.measure_all()
            default.append(("article rendered afresh, 8 articles", rendered_small))
            fresh = best_of_rounds([("", lambda: server.wrk(server.article, True))])[0][1]
            default.append(("article rendered afresh, 1,008", fresh))
            memory = server.worker_peaks()
        shared = None
        if big.postgres_available():
            shared_site = Site(work / "shared", articles=GENERATED, shared=True)
            shared_site.prepare()
            with shared_site.serving() as server:
                shared = server.measure_shared()
            shared_site.drop_database()
        loads = time_loads(work / "load")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(default, shared, memory, loads)


class Site:
    """One site: a content folder, a database and a cache, served as production serves it."""

    def __init__(self, folder: Path, articles: int, shared: bool = False):
        self.folder = folder
        self.articles = articles
        self.shared = shared
        self.port = _free_port()
        self.database = f"clinic_bench_{os.getpid()}"
        folder.mkdir(parents=True)

    @property
    def env(self) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "REDIS_URL", "DATABASE_URL", "SITE_URL", "EMAIL_"))
        }
        env.update(
            DJANGO_ENV="production",
            DJANGO_SECRET_KEY="benchmark-only-" + "x" * 40,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            SITE_URL=f"http://127.0.0.1:{self.port}",
            DATABASE_URL=f"sqlite:///{self.folder / 'db.sqlite3'}",
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            PORT=str(self.port),
            WEB_CONCURRENCY="2",
        )
        if self.shared:
            env.update(DATABASE_URL=f"{DATABASE_SERVER}/{self.database}", REDIS_URL=REDIS_URL)
        return env

    def manage(self, *args: str, quiet: bool = True) -> None:
        subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL if quiet else None,
            stderr=subprocess.DEVNULL if quiet else None,
        )

    def postgres_available(self) -> bool:
        try:
            import psycopg
            import redis

            psycopg.connect(f"{DATABASE_SERVER}/postgres", connect_timeout=2).close()
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        except Exception as error:
            print(f"PostgreSQL with Redis not measured: {error}")
            return False
        return True

    def prepare(self) -> None:
        write_site(self.folder / "content", self.articles)
        if self.shared:
            import psycopg
            import redis

            with psycopg.connect(f"{DATABASE_SERVER}/postgres", autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{self.database}"')
                db.execute(f'CREATE DATABASE "{self.database}"')
            redis.Redis.from_url(REDIS_URL).flushdb()
        self.manage("migrate", "--noinput")
        self.manage("load_content", str(self.folder / "content"))
        self.manage("collectstatic", "--noinput")

    def drop_database(self) -> None:
        import psycopg

        with psycopg.connect(f"{DATABASE_SERVER}/postgres", autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def serving(self) -> "Server":
        return Server(self)


class Server:
    def __init__(self, site: Site):
        self.site = site
        self.base = f"http://127.0.0.1:{site.port}"

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=self.site.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(f"{self.base}/healthz")
        home = self.fetch("/").decode()
        self.stylesheet = re.search(r'href="(/static/css/site[^"]*\.css)"', home).group(1)
        self.paths = ["/", "/articles/", "/privacy/", "/feed/", "/sitemap.xml", "/robots.txt"]
        self.paths += re.findall(r"<loc>https?://[^/<]+(/articles/[^<]+/)</loc>", self.sitemap())
        self.article = "/articles/aftercare/"
        return self

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)

    def sitemap(self) -> str:
        return self.fetch("/sitemap.xml").decode()

    def fetch(self, path: str) -> bytes:
        address = f"{self.base}{path}"
        request = urllib.request.Request(address, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.read()
        except urllib.error.HTTPError as error:
            sys.exit(f"{path}: {error.code} {error.read()[:300]!r}")

    def warm(self, paths: list[str]) -> None:
        for path in paths:
            self.fetch(path)

    def measure_all(self) -> list:
        needle, typo = "/search/?q=needle", "/search/?q=dry+neeedling+sorenes"
        self.warm(self.paths)
        return best_of_rounds(
            [
                ("stylesheet (whitenoise)", lambda: self.wrk(self.stylesheet)),
                ("article page", lambda: self.wrk(self.article)),
                ("home page", lambda: self.wrk("/")),
                ("search, `needle` again and again", lambda: self.wrk(needle)),
                ("search, misspelt, several words", lambda: self.wrk(typo)),
                ("search, a different query each time", lambda: self.wrk("/", DISTINCT_SEARCH)),
                (f"every page in turn ({len(self.paths)})", self.cycle),
                ("every page, first 5 s after a staff save", self.after_a_save),
            ]
        )

    def measure_shared(self) -> list:
        self.warm(self.paths)
        return best_of_rounds(
            [
                ("stylesheet (whitenoise)", lambda: self.wrk(self.stylesheet)),
                ("article page", lambda: self.wrk(self.article)),
                (f"every page in turn ({len(self.paths)})", self.cycle),
            ]
        )

    def after_a_save(self) -> dict:
        """Every page in turn straight after a staff save has made every cached page stale
        (any change moves the version on)."""
        self.site.manage("shell", "-c", "from articles.pagecache import bump_version as b; b()")
        measured = self.cycle(seconds=5)
        self.warm(self.paths)  # cached again for the next round
        return measured

    def cycle(self, seconds: int = SECONDS) -> dict:
        paths = ", ".join(f'"{path}"' for path in self.paths)
        return self.wrk("/", CYCLE_SCRIPT % paths, seconds=seconds)

    def wrk(self, path: str, script: str | bool | None = None, seconds: int = SECONDS) -> dict:
        """wrk on ``path``; ``script``: a wrk Lua script choosing each request's path, or True
        for ``path`` rendered afresh each time (a session cookie: never from the cache)."""
        command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
        command += ["-H", "X-Forwarded-Proto: https", "-H", "Accept-Encoding: gzip"]
        if script is True:
            command += ["-H", "Cookie: sessionid=benchmark-visitor-with-a-session"]
        elif script:
            lua = self.site.folder / "wrk.lua"
            lua.write_text(script)
            command += ["-s", str(lua)]
        out = subprocess.run(
            [*command, f"{self.base}{path}"], capture_output=True, text=True, check=True
        ).stdout
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50": latency(out, "50%"),
            "p99": latency(out, "99%"),
            "errors": int(errors.group(1)) if errors else 0,
        }

    def worker_peaks(self) -> list[float]:
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        peaks = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
        return peaks


def best_of_rounds(measures: list) -> list:
    """Each measure taken in each of ``ROUNDS`` rounds (all of them, then all again), and the
    round with the most requests a second kept: another process busy on a shared machine for a
    while then spoils one round of a page, not the comparison."""
    taken = {name: [] for name, _ in measures}
    for _ in range(ROUNDS):
        for name, measure in measures:
            taken[name].append(measure())
    return [(name, max(runs, key=lambda r: r["rps"])) for name, runs in taken.items()]


def write_site(folder: Path, count: int) -> None:
    """The shipped content (articles, blocks, sources, risks) and ``count`` articles made from
    the shipped ones: each with its own title, first line, first heading and tags."""
    shutil.copytree(ROOT / "content", folder)
    shipped = []
    for path in sorted((ROOT / "content").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        title = re.search(r"^title: (.*)$", front, re.M).group(1)
        summary = re.search(r"^summary: (.*)$", front, re.M).group(1)
        shipped.append((title.rstrip("?"), summary, body))
    for n in range(count):
        title, summary, body = shipped[n % len(shipped)]
        tags = {TOPICS[n % len(TOPICS)], TOPICS[(n * 7 + 3) % len(TOPICS)]}
        tags.add("dry needling" if n % 5 == 0 else "what to expect")
        front = (
            f"title: {title}, note {n}\nsummary: {summary}\nreviewed: 2026-01-15\ntags:\n"
            + "".join(f"- {tag}\n" for tag in sorted(tags))
        )
        first = f"This is note {n} on {sorted(tags)[0]}.\n\n"
        body = first + body.replace("## ", f"## Note {n}: ", 1)
        (folder / f"note-{n:04d}.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")


def wait_for(url: str) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (our own local server)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("the site did not start")


def latency(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def time_loads(folder: Path) -> dict:
    site = Site(folder, articles=GENERATED)
    write_site(folder / "content", GENERATED)
    for path in (ROOT / "content").glob("*.md"):
        (folder / "content" / path.name).unlink()  # 1,000 articles, with what they name
    site.manage("migrate", "--noinput")
    timings = {}
    for run in ("1,000 new articles", "the same 1,000 unchanged"):
        started = time.perf_counter()
        site.manage("load_content", str(folder / "content"))
        timings[run] = time.perf_counter() - started
    return timings


def report(default: list, shared: list | None, memory: list, loads: dict) -> None:
    print(
        f"\n{CONNECTIONS} connections, {SECONDS} s each, best of {ROUNDS} rounds, "
        "gunicorn.conf.py with 2 workers"
    )
    for title, results in [("SQLite, default cache", default), ("PostgreSQL and Redis", shared)]:
        if not results:
            continue
        css = results[0][1]["rps"]
        print(f"\n{title}\n| what | requests/s | p50 ms | p99 ms | share of the stylesheet |")
        print("| --- | --- | --- | --- | --- |")
        for name, r in results:
            errors = f" ({r['errors']} errors)" if r["errors"] else ""
            print(
                f"| {name}{errors} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | "
                f"{r['rps'] / css:.2f} |"
            )
    print("\nworker peak memory: " + ", ".join(f"{mb:.0f} MB" for mb in memory))
    for run, seconds in loads.items():
        print(f"load_content, {run}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
