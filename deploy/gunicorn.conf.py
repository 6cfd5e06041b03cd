"""gunicorn settings for civunit behind nginx (deploy/nginx/civunit.conf.template).

    gunicorn -c deploy/gunicorn.conf.py civunit.wsgi

Every value can be changed through the environment (the systemd unit reads /etc/civunit/civunit.env).
nginx buffers whole requests and responses, so slow clients never hold a worker. Threaded workers (gthread): one
process per core plus one, four threads each. A sync worker serves one request at a time, so a short page queued
behind a long one (the dashboard computing its figures afresh, a workbook) waits for all of it; with threads the
short page runs beside it, and the time a request spends waiting on PostgreSQL or Redis is given to another.
The processes still use both cores (a thread holds the interpreter lock only while it computes). Measured with
bench/load_bench.py (README, "Load test"). Uploads reach the app as a file nginx already wrote
(NGINX_UPLOAD_SECRET), not as a body to read.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count() + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
# A request may hash and sniff a 1 GB file, or build a workbook: allow it, but not forever.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 30
# Idle keep-alive connections (threaded workers only; a sync worker closes each one) are kept longer than nginx
# keeps its idle upstream connections (keepalive_timeout, 60 s by default): the side that closes an idle connection
# must be nginx, or a request sent on it as gunicorn closes it fails (a POST is not retried: a 502). Clients on
# loopback (bench/load_bench.py) reuse their connections after 3-10 s of reading in the same way.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# A worker is replaced after this many requests: memory fragmentation stays bounded over weeks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# The heartbeat files on tmpfs: a slow disk never makes the arbiter kill a busy worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Only nginx on this machine may set X-Forwarded-* (and the app trusts X-Forwarded-Proto only when
# SECURE_PROXY_SSL_HEADER is on).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The upload page's raw uploads carry their caption fields in one header of up to 24 KB (evidence/rawbody.py;
# nginx's large_client_header_buffers takes 32 KB too).
limit_request_field_size = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "32768"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "civunit-web")
# Load the app once in the arbiter: workers share its memory and start fast.
preload_app = os.environ.get("GUNICORN_PRELOAD", "on").lower() in {"1", "on", "true", "yes"}
