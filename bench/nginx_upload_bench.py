"""Upload benchmark through the production profile: one large video POSTed to nginx, which writes the body to disk
once and hands its path to the app, then downloaded back through X-Accel-Redirect.

    .venv/bin/python bench/nginx_upload_bench.py [--size-mb 500] [--keep] [--json]

Starts deploy/loopback (nginx from Debian's package with the rendered deploy/ template, gunicorn with
deploy/gunicorn.conf.py, one task worker) on a throw-away SQLite database and MEDIA_ROOT, signs in, and uploads a
generated MP4 streamed from disk twice: first as the upload page's script sends it, the file itself as the
request body with its name and fields in headers (evidence/rawbody.py: the app hashes, fsyncs and renames
nginx's body file), then, with a few bytes changed (not a duplicate), as multipart/form-data, the page's
fallback without the script (evidence/offload.py: the kernel copies the file's bytes out of the body file).
For each it prints the upload's wall time (from the first byte sent to the app's answer), the gunicorn worker's
peak memory growth and the bytes it wrote (/proc/PID/io wchar: about none when the file was renamed), beside the
time to copy the same file, fsync it and SHA-256 it in one pass in this process, measured just before in the
same run, and the load average. Then it downloads the stored file through nginx and checks its SHA-256.
Targets (the raw upload): upload <= 1.5 x baseline, worker memory growth <= 100 MB. Exit status 0 when both are
met, 2 when not, 1 when something failed.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.benchlib import Figure, info_figure, json_output, limit_figure, load_average, ratio_figure
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


def post_raw(client: Client, path: str, file: Path, name: str) -> tuple[int, dict]:
    """The upload page's raw request: the file as the body, streamed from disk; its name and fields in headers."""
    from urllib.parse import quote, urlencode

    conn = http.client.HTTPConnection("127.0.0.1", client.port, timeout=900)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "video/mp4")
    conn.putheader("Content-Length", str(file.stat().st_size))
    conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in client.cookies.items()))
    conn.putheader("X-CSRFToken", client.cookies.get("csrftoken", ""))
    conn.putheader("X-Requested-With", "XMLHttpRequest")
    conn.putheader("Referer", f"http://127.0.0.1:{client.port}/evidence/upload/")
    conn.putheader("X-Civunit-File-Name", quote(name))
    conn.putheader("X-Civunit-Fields", urlencode({"title": "基准测试视频"}))
    conn.endheaders()
    with file.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            conn.send(chunk)
    r = conn.getresponse()
    body = r.read().decode("utf-8", "replace")
    conn.close()
    try:
        return r.status, json.loads(body)
    except ValueError:
        return r.status, {"raw": body[:500]}


def written_bytes(pids: list[int]) -> int:
    """What these processes wrote so far: write(2), copy_file_range(2) ... (/proc/PID/io wchar)."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/io").read_text().splitlines():
            if line.startswith("wchar:"):
                total += int(line.split()[1])
    return total


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
        mb = size / 1024 / 1024

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
        gunicorn_pid = json.loads((lb / "state.json").read_text())["processes"][0]
        workers = children(gunicorn_pid) or [gunicorn_pid]
        cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        print(f"file: {mb:.0f} MB; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        results = {}
        for mode in ("raw", "multipart"):
            if mode == "multipart":  # other bytes than the raw upload's, or it would be a duplicate
                with video.open("r+b") as fh:
                    fh.seek(64)
                    fh.write(os.urandom(64))
            with video.open("rb") as fh:  # warm the page cache for both measurements alike
                while fh.read(8 * CHUNK):
                    pass
            copy_seconds, copy_sha = baseline(video, work / "copy.mp4")
            (work / "copy.mp4").unlink()
            load = load_average()
            before_kb = sum(rss_kb(p) for p in workers)
            before_written = written_bytes(workers)
            sampler = Sampler(workers)
            sampler.start()
            start = time.perf_counter()
            if mode == "raw":
                status, body = post_raw(client, "/evidence/upload/file/", video, "基准测试视频.mp4")
            else:
                status, body = client.post_file("/evidence/upload/file/", video, "基准测试视频.mp4")
            upload_seconds = time.perf_counter() - start
            sampler.stop.set()
            sampler.join()
            written_mb = (written_bytes(workers) - before_written) / 1024 / 1024
            if status != 200 or not body.get("ok"):
                print(f"{mode} upload failed: {status} {body}")
                return 1
            growth_mb = (sampler.peak - before_kb) / 1024
            ratio = upload_seconds / copy_seconds
            label = {"raw": "raw body, renamed", "multipart": "multipart, kernel copy"}[mode]
            print(f"[{mode}] load average {load:.2f}")
            print(
                f"[{mode}] copy + fsync + SHA-256 in one pass:  {copy_seconds:6.2f} s  ({mb / copy_seconds:6.1f} MB/s)"
            )
            print(
                f"[{mode}] upload through nginx ({label}): {upload_seconds:6.2f} s  ({mb / upload_seconds:6.1f} MB/s)"
            )
            print(f"[{mode}] ratio: {ratio:.2f} x  (target <= 1.5)  {'OK' if ratio <= 1.5 else 'MISSED'}")
            print(
                f"[{mode}] gunicorn worker RSS: {before_kb / 1024:.1f} MB before, peak {sampler.peak / 1024:.1f} MB, "
                f"growth {growth_mb:.1f} MB  (target <= 100)  {'OK' if growth_mb <= 100 else 'MISSED'}; "
                f"it wrote {written_mb:.1f} MB"
            )
            d_status, d_sha, d_size, d_seconds = download_sha(port, cookies, f"/evidence/{body['id']}/download/")
            print(
                f"[{mode}] download through nginx (X-Accel-Redirect): {d_status}, {d_size / 1024 / 1024:.0f} MB in "
                f"{d_seconds:.2f} s, sha256 {'matches' if d_sha == copy_sha else 'DIFFERS'}"
            )
            if d_status != 200 or d_sha != copy_sha:
                return 1
            results[mode] = (ratio, growth_mb)
            FIGURES.append(
                ratio_figure(f"upload of {mb:.0f} MB through nginx ({label})", upload_seconds, copy_seconds, most=1.5)
            )
            FIGURES.append(
                limit_figure(f"gunicorn worker memory growth (nginx upload, {mode})", growth_mb, most=100, unit="MB")
            )
            FIGURES.append(info_figure(f"bytes the gunicorn worker wrote ({mode})", written_mb, unit="MB"))

        stored = list((work / "media" / "evidence" / "files").rglob("*.mp4"))
        assert len(stored) == 2 and all(p.stat().st_size == size for p in stored), "stored files are not whole"
        time.sleep(0.5)  # nginx removes its body file once the response is sent
        leftovers = [p for p in (lb / "nginx-body").rglob("*") if p.is_file()]
        temp_left = list((lb / "tmp" / "civunit-uploads").glob("*.part"))
        print(f"left behind: {len(leftovers)} nginx body file(s), {len(temp_left)} temporary upload file(s)")
        if leftovers or temp_left:
            return 1
        ratio, growth_mb = results["raw"]
        return 0 if ratio <= 1.5 and growth_mb <= 100 else 2
    finally:
        if started and not args.keep:
            subprocess.run([str(LOOPBACK), "down", "--dir", str(lb)], check=False)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
