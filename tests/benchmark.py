"""`make bench`: how fast the site serves and loads content, measured as a user would run it.

Starts the site under the production settings (gunicorn with gunicorn.conf.py, SQLite in a
scratch folder, 200 generated articles), measures with wrk at 16 connections the article page,
the home page, a search and the site's stylesheet in one run, and prints requests per second,
p50 and p99 for each, with each page's throughput as a share of the stylesheet's. Then it times
load_content on 1,000 generated articles (first load, and an unchanged re-load) and reports each
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT") or _free_port())
CONNECTIONS = 16
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
BODY = """## What it is

Dry needling puts a very thin needle into a tight band of muscle. Article {n} of the benchmark.

!!! warning "When to get help"
    Call 999 if you have chest pain or trouble breathing after treatment.

| What | How long |
| --- | --- |
| A session | Under 15 minutes |

{filler}
"""


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk (make bench installs it)")
    work = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
    env = production_env(work)
    try:
        write_articles(work / "content", 200)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_content", str(work / "content"))
        manage(env, "collectstatic", "--noinput", "-v0")
        results, memory = serve_and_measure(env)
        loads = time_loads(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(results, memory, loads)


def production_env(work: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "REDIS_URL", "DATABASE_URL", "SITE_URL", "EMAIL_"))
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="benchmark-only-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{PORT}",
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        PORT=str(PORT),
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def write_articles(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    filler = " ".join(["Gentle exercise and clear advice help most people."] * 40)
    for n in range(count):
        (folder / f"article-{n:04d}.md").write_text(
            f"---\ntitle: Benchmark article {n}\nsummary: A generated article for measuring.\n"
            f"reviewed: 2026-01-15\norder: {n + 1}\ntags:\n- tag {n % 10}\n---\n"
            + BODY.format(n=n, filler=filler),
            encoding="utf-8",
        )


def serve_and_measure(env: dict) -> tuple[list, dict]:
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env={**env, "WEB_CONCURRENCY": "2"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        home = fetch("/").decode()
        stylesheet = re.search(r'href="(/static/css/site[^"]*\.css)"', home).group(1)
        targets = [
            ("stylesheet", stylesheet),
            ("article page", "/articles/article-0100/"),
            ("home page", "/"),
            ("search", "/search/?q=needle"),
        ]
        for _, path in targets:  # warm every cache once
            fetch(path)
        results = [(name, path, run_wrk(path)) for name, path in targets]
        memory = worker_peaks(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return results, memory


def wait_for(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (our own local server)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit("the site did not start")


def fetch(path: str) -> bytes:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}", headers={"X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.read()
    except urllib.error.HTTPError as error:
        sys.exit(f"{path}: {error.code} {error.read()[:300]!r}")


def run_wrk(path: str) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{SECONDS}s",
            "--latency",
            "-H",
            "X-Forwarded-Proto: https",
            "-H",
            "Accept-Encoding: gzip",
            f"http://127.0.0.1:{PORT}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "requests": requests,
        "p50": latency(out, "50%"),
        "p99": latency(out, "99%"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def latency(out: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def worker_peaks(master: int) -> dict:
    children = subprocess.run(
        ["pgrep", "-P", str(master)], capture_output=True, text=True, check=False
    ).stdout.split()
    peaks = {}
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks[pid] = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    return peaks


def time_loads(work: Path) -> dict:
    env = production_env(work / "load")
    (work / "load").mkdir()
    write_articles(work / "load" / "content", 1000)
    manage(env, "migrate", "--noinput", "-v0")
    timings = {}
    for run in ("first load", "unchanged re-load"):
        started = time.perf_counter()
        manage(env, "load_content", str(work / "load" / "content"))
        timings[run] = time.perf_counter() - started
    return timings


def report(results: list, memory: dict, loads: dict) -> None:
    css = results[0][2]["rps"]
    total = sum(r["requests"] for _, _, r in results)
    print(f"\n{CONNECTIONS} connections, {SECONDS} s each, gunicorn.conf.py with 2 workers")
    print(f"{'what':<14} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs CSS':>7} {'errors':>7}")
    for name, _, r in results:
        print(
            f"{name:<14} {r['rps']:>8.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
            f"{r['rps'] / css:>7.2f} {r['errors']:>7}"
        )
    print(f"\nworker peak memory after {total} requests: ", end="")
    print(", ".join(f"{mb:.0f} MB" for mb in memory.values()))
    for run, seconds in loads.items():
        print(f"load_content, 1,000 articles, {run}: {seconds:.1f} s")


if __name__ == "__main__":
    main()
