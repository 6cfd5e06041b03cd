"""Upload benchmark through the production profile: one large video POSTed to nginx, which writes the body to disk
once and hands its path to the app (evidence/offload.py), then downloaded back through X-Accel-Redirect.

    .venv/bin/python bench/nginx_upload_bench.py [--size-mb 500] [--keep]

Starts deploy/loopback (nginx from Debian's package with the rendered deploy/ template, gunicorn with
deploy/gunicorn.conf.py, one task worker) on a throw-away SQLite database and MEDIA_ROOT, signs in, POSTs a
generated MP4 as multipart/form-data streamed from disk, and prints the upload's wall time (from the first byte
sent to the app's answer) and the gunicorn workers' peak memory growth beside the time to copy the same file,
fsync it and SHA-256 it in one pass in this process, measured in the same run. Then it downloads the stored file
through nginx and checks its SHA-256. Targets: upload <= 1.5 x baseline, worker memory growth <= 100 MB.
Exit status 0 when both are met, 2 when not, 1 when something failed.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.benchlib import Figure, json_output, limit_figure, ratio_figure
from bench.upload_bench import CHUNK, SETUP, Client, Sampler, baseline, children, make_video, rss_kb

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
LOOPBACK = ROOT / "deploy" / "loopback"


def download_sha(port: int, cookies: str, path: str) -> tuple[int, str, int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    start = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookies})
    r = conn.getresponse()
    digest = hashlib.sha256()
    size = 0
    while chunk := r.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    conn.close()
    return r.status, digest.hexdigest(), size, time.perf_counter() - start


FIGURES: list[Figure] = []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (and stop nothing)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (the last line of stdout)")
    args = parser.parse_args()
    with json_output(args.json, FIGURES):
        return measure(args)


def measure(args: argparse.Namespace) -> int:
    size = args.size_mb * 1024 * 1024
    if not any(os.access(p, os.X_OK) for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")):
        print("nginx is not installed (apt-get install nginx; scripts/setup installs it when it can): skipped")
        return 1

    work = Path(tempfile.mkdtemp(prefix="civunit-nginx-upload-bench-", dir=os.environ.get("BENCH_DIR")))
    lb = work / "loopback"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "AXES_ENABLED": "off",
        "EVIDENCE_MAX_VIDEO_MB": str(max(1024, args.size_mb + 1)),
        "LOG_LEVEL": "WARNING",
    }
    for key in ("FILE_UPLOAD_TEMP_DIR", "NGINX_UPLOAD_DIR", "NGINX_UPLOAD_SECRET", "STATIC_ROOT"):
        env.pop(key, None)
    started = False
    try:
        print(f"work dir: {work}")
        out = subprocess.run(
            [str(LOOPBACK), "up", "--dir", str(lb), "--workers", "1"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        started = True
        base = out.stdout.strip().splitlines()[-1]
        port = int(base.rsplit(":", 1)[1])
        # The loopback's own settings (its SECRET_KEY and upload secret) for the set-up shell.
        shell_env = {**env, "DEBUG": "off", "ALLOWED_HOSTS": "127.0.0.1"}
        for line in (lb / "env").read_text().splitlines():
            key, _, value = line.partition("=")
            shell_env[key] = value
        shell_env["NGINX_UPLOAD_DIR"] = str(lb / "nginx-body")
        subprocess.run([PYTHON, "manage.py", "shell", "-c", SETUP], cwd=ROOT, env=shell_env, check=True)

        video = work / "bench-video.mp4"
        make_video(video, size)
        with video.open("rb") as fh:  # warm the page cache for both measurements alike
            while fh.read(8 * CHUNK):
                pass
        copy_seconds, copy_sha = baseline(video, work / "copy.mp4")
        (work / "copy.mp4").unlink()

        client = Client(port)
        client.get("/accounts/login/")
        status = client.post_form(
            "/accounts/login/",
            {
                "username": "bench",
                "password": "bench-password-1",
                "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""),
            },
        )
        assert status == 302, f"login failed: {status}"
        client.get("/evidence/upload/")  # warm the worker
        import json

        gunicorn_pid = json.loads((lb / "state.json").read_text())["processes"][0]
        workers = children(gunicorn_pid) or [gunicorn_pid]
        before_kb = sum(rss_kb(p) for p in workers)
        sampler = Sampler(workers)
        sampler.start()
        start = time.perf_counter()
        status, body = client.post_file("/evidence/upload/file/", video, "基准测试视频.mp4")
        upload_seconds = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
        if status != 200 or not body.get("ok"):
            print(f"upload failed: {status} {body}")
            return 1
        stored = list((work / "media" / "evidence" / "files").rglob("*.mp4"))
        assert len(stored) == 1 and stored[0].stat().st_size == size, "stored file is not whole"
        leftovers = [p for p in (lb / "nginx-body").rglob("*") if p.is_file()]
        temp_left = list((lb / "tmp" / "civunit-uploads").glob("*.part"))

        cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        d_status, d_sha, d_size, d_seconds = download_sha(port, cookies, f"/evidence/{body['id']}/download/")
        growth_mb = (sampler.peak - before_kb) / 1024
        ratio = upload_seconds / copy_seconds
        mb = size / 1024 / 1024
        print(f"file: {mb:.0f} MB (sha256 {copy_sha[:16]}…)")
        print(f"copy + fsync + SHA-256 in one pass:  {copy_seconds:6.2f} s  ({mb / copy_seconds:6.1f} MB/s)")
        print(f"upload through nginx (offloaded):    {upload_seconds:6.2f} s  ({mb / upload_seconds:6.1f} MB/s)")
        print(f"ratio: {ratio:.2f} x  (target <= 1.5)  {'OK' if ratio <= 1.5 else 'MISSED'}")
        print(
            f"gunicorn worker RSS: {before_kb / 1024:.1f} MB before, peak {sampler.peak / 1024:.1f} MB, "
            f"growth {growth_mb:.1f} MB  (target <= 100)  {'OK' if growth_mb <= 100 else 'MISSED'}"
        )
        print(
            f"download through nginx (X-Accel-Redirect): {d_status}, {d_size / 1024 / 1024:.0f} MB in "
            f"{d_seconds:.2f} s, sha256 {'matches' if d_sha == copy_sha else 'DIFFERS'}"
        )
        print(f"left behind: {len(leftovers)} nginx body file(s), {len(temp_left)} temporary upload file(s)")
        FIGURES.append(ratio_figure(f"upload of {mb:.0f} MB through nginx", upload_seconds, copy_seconds, most=1.5))
        FIGURES.append(limit_figure("gunicorn worker memory growth (nginx upload)", growth_mb, most=100, unit="MB"))
        ok = d_status == 200 and d_sha == copy_sha and not leftovers and not temp_left
        if not ok:
            return 1
        return 0 if ratio <= 1.5 and growth_mb <= 100 else 2
    finally:
        if started and not args.keep:
            subprocess.run([str(LOOPBACK), "down", "--dir", str(lb)], check=False)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
