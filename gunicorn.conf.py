"""How gunicorn serves the site (`make run` and production use this file).

Every value can be changed from the environment: PORT, BIND, WEB_CONCURRENCY (workers),
GUNICORN_THREADS (threads per worker), GUNICORN_TIMEOUT, FORWARDED_ALLOW_IPS.
"""

import multiprocessing
import os
import re
from pathlib import Path

wsgi_app = "clinic_site.wsgi"
bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# One worker per core, each with a few threads. A sync worker is held by a client that sends its
# headers slowly (two such clients stalled a 2-worker site until the timeout); a threaded worker
# waits for a connection's first bytes in its own loop, and a slow client then holds one thread,
# not the worker: the site keeps answering. It served cached pages as fast as sync workers.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "gthread"
# More threads raise the tail latency of cached pages (they take turns at Python's lock): p99
# was 10-15 ms with 2, 23-30 ms with 4, 28-49 ms with 8, at the same throughput (README, Speed).
# 4 keeps threads to spare for slow clients; behind a buffering proxy, 2 is enough.
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A worker that stops answering its own loop for this long is replaced. (A request's own time is
# bounded by the site: database queries, rendering and request sizes have limits of their own.)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Workers are not recycled: a worker's memory stayed flat over 50,000 requests (make bench), and
# a restart would pause that worker while Django loads again.
max_requests = 0
# Requests and errors go to standard output and standard error, for the process manager to keep.
accesslog = "-"
errorlog = "-"
# Only these addresses may say (with X-Forwarded-Proto) that the visitor used HTTPS: the proxy in
# front of the site. Its default trusts this machine only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# ...and nothing more: gunicorn would otherwise let that proxy set the script name (and path) with
# SCRIPT_NAME and PATH_INFO headers, which many proxies pass on from the visitor. The site is
# served from the root (FORCE_SCRIPT_NAME); headers with an underscore are dropped.
forwarder_headers = ""
header_map = "drop"
# The control socket (for `gunicornc`) is the site's own, in var/ and named for the address it
# serves: gunicorn's default (~/.gunicorn/gunicorn.ctl) is one path for every gunicorn a user
# starts, and a second site would take it over from the first. A path too long for a socket
# turns it off.
control_socket = str(
    Path(__file__).resolve().parent
    / "var"
    / f"gunicorn-{re.sub(r'[^A-Za-z0-9.]+', '-', bind).strip('-')}.ctl"
)
control_socket_disable = len(os.fsencode(control_socket)) > 100
# Headers and request lines of a sane size; bodies are limited by the site itself.
limit_request_line = 8190
limit_request_fields = 100
