"""civunit settings, all read from the environment (and a .env file beside manage.py) by django-environ.

.env.example documents every variable.
"""

from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Real environment variables win over the file (read_env only sets what is missing).
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set and DEBUG is off: set SECRET_KEY in the environment or in .env "
            "(scripts/setup writes a development .env with a random key)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "civunit.apps.TasksDatabaseConfig",  # django_tasks_db, under a Chinese name
    "civunit.apps.AxesConfig",  # axes, under a Chinese name
    "simple_history",
    "civunit.accounts",
    "civunit.notifications",
    "civunit.jobs",
    "civunit.backup",
    "campaign",
    "tasks",
    "evidence",
    "civunit.reports",
]

# A strict Content-Security-Policy on every response (Django's CSP middleware): scripts and styles only from our
# own static files (no inline script, handler or style attribute anywhere; a script that must be inline carries
# the request's nonce, {{ csp_nonce }}), images from us or data: URIs (Bootstrap's CSS draws its form icons with
# them), nothing from another site, no plugins, no <base>, no framing. File downloads send their own, stricter
# policy (evidence/views/items.py), which the middleware leaves alone. Tested page by page in the browser
# (tests/browser/test_csp.py) and on every page of the URL matrix (tests/test_csp.py).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # the client's address for the audit trail (every event's ip_address)
    "civunit.audit.ClientAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "civunit.middleware.ErrorPagesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "civunit.middleware.LoginRequiredMiddleware",
    "civunit.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # last, as django-axes asks
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "civunit.urls"
WSGI_APPLICATION = "civunit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civunit.context_processors.navigation",
                "civunit.notifications.context_processors.notifications",
                "campaign.context_processors.campaign_switcher",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share the file: WAL lets readers run beside a writer, IMMEDIATE
    # transactions take the write lock up front (no "database is locked" on upgrade), and the timeout waits.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the signed-in person with their office, roles and headships in one query
    "civunit.accounts.backends.PersonBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False
# Its state (failures, lockouts) is in the database (axes' default handler): shared by every web process.
# Behind nginx the client's address is nginx's X-Forwarded-For, trusted from these addresses only.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
AXES_CLIENT_IP_CALLABLE = "civunit.http.client_ip"

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "civunit" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files are never served from a public URL: every download goes through a view that applies the
# access policy. MEDIA_URL is deliberately absent.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploads stream here while they are hashed and checked, then go to the storage (and S3 downloads spill here).
# On the file system storage, the same file system as MEDIA_ROOT lets a finished upload be renamed, not copied.
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default="") or None
# Every stored file (evidence, previews, kept import uploads) goes through STORAGES["default"]: MEDIA_ROOT on
# the local file system, or an S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set (nothing is then
# written under MEDIA_ROOT).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Self-hosted endpoints (MinIO, Ceph) rarely have a DNS name per bucket.
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path"),
            # An object being read is spooled into a temporary file that stays in memory up to this size and
            # spills to FILE_UPLOAD_TEMP_DIR beyond it; django-storages' default, 0, keeps every object in RAM.
            "max_memory_size": env.int("AWS_S3_MAX_MEMORY_SIZE", default=8 * 1024 * 1024),
            "default_acl": None,  # the bucket's own policy: objects stay private
            # No signed URLs (the admin shows a FileField's url()): every download goes through the app's views.
            "querystring_auth": False,
        },
    }
    if _default_storage["OPTIONS"]["max_memory_size"] < 1:
        raise ImproperlyConfigured(
            "AWS_S3_MAX_MEMORY_SIZE must be at least 1 byte: 0 would hold every object read from S3 whole in memory."
        )
else:
    _default_storage = {"BACKEND": "civunit.storage.DurableFileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Django 6.1 configures mail through MAILERS; EMAIL_URL (e.g. smtp+tls://user:pass@host:587) is mapped onto it.
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_mail_options = {}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": _email.get("EMAIL_HOST") or "localhost",
        "port": _email.get("EMAIL_PORT") or 25,
        "username": _email.get("EMAIL_HOST_USER") or "",
        "password": _email.get("EMAIL_HOST_PASSWORD") or "",
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": 20,
    }
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="civunit@localhost")
# The site's address, for absolute links in e-mails (e.g. https://civunit.example.gov.cn).
SITE_URL = env.str("SITE_URL", default="")
# Overdue reminders: on the first overdue day, then every this many days while the task stays open.
NOTIFICATIONS_OVERDUE_REPEAT_DAYS = env.int("NOTIFICATIONS_OVERDUE_REPEAT_DAYS", default=7)

# Group robots (企业微信, 钉钉, 飞书; civunit/notifications/robots). Their webhook addresses and signing secrets are
# stored encrypted with this Fernet key (several, comma-separated: the first encrypts, all decrypt, for rotation).
# With DEBUG on an unset key is derived from SECRET_KEY; with DEBUG off a robot cannot be saved or used without it.
ROBOT_SECRET_KEY = env.list("ROBOT_SECRET_KEY", default=[])
for _key in ROBOT_SECRET_KEY:
    try:
        from cryptography.fernet import Fernet

        Fernet(_key)
    except ValueError as _error:
        raise ImproperlyConfigured(
            "ROBOT_SECRET_KEY must be Fernet keys (32 url-safe base64-encoded bytes), e.g. the output of "
            '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.'
        ) from _error
# A robot's address must start with one of these (https only): the public endpoints by default; an organ adds its
# 政务钉钉 host. Nothing else (loopback, private addresses, other hosts) is ever called.
ROBOT_ALLOWED_URL_PREFIXES = env.list(
    "ROBOT_ALLOWED_URL_PREFIXES",
    default=[
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
        "https://oapi.dingtalk.com/robot/send",
        "https://open.feishu.cn/open-apis/bot/v2/hook/",
    ],
)
for _prefix in ROBOT_ALLOWED_URL_PREFIXES:
    if not _prefix.startswith("https://") or len(_prefix) <= len("https://"):
        raise ImproperlyConfigured(f"ROBOT_ALLOWED_URL_PREFIXES: {_prefix!r} is not an https address.")
# Certificates of a private CA (an on-premise 政务钉钉), trusted besides the system's.
ROBOT_CA_BUNDLE = env.str("ROBOT_CA_BUNDLE", default="")
# Seconds a robot has to answer; attempts per message; the wait before the second attempt (doubled each time).
ROBOT_TIMEOUT = env.float("ROBOT_TIMEOUT", default=10.0)
ROBOT_MAX_ATTEMPTS = env.int("ROBOT_MAX_ATTEMPTS", default=4)
ROBOT_RETRY_BACKOFF = env.float("ROBOT_RETRY_BACKOFF", default=30.0)
# Days of the week (1 = Monday … 7 = Sunday) on which the offices' daily digest goes out.
ROBOT_DIGEST_WEEKDAYS = [int(day) for day in env.list("ROBOT_DIGEST_WEEKDAYS", default=["1", "2", "3", "4", "5"])]

# A running background job that has not been heard from for this long (seconds) has lost its worker: it is
# marked failed (manage.py jobs_sweep, and whenever someone looks at it). Jobs report progress every second or so.
JOBS_HEARTBEAT_TIMEOUT = env.int("JOBS_HEARTBEAT_TIMEOUT", default=600)
# The dashboard's readers may be shown figures up to this many seconds behind the day-to-day work of others (task
# events, evidence events; never behind their own change, nor behind any other kind of change): under steady work
# the figures are computed at most once per this many seconds instead of for nearly every reader. 0: always exact.
DASHBOARD_LAG_SECONDS = env.int("DASHBOARD_LAG_SECONDS", default=30)
# The same for the readiness page (迎检自查): its latest recorded check is shown while only others' task and evidence
# events are newer, for at most this many seconds (the time of the check is shown with it). A check reads the
# whole archive, and when every office is uploading it would otherwise run again for nearly every reader; five
# minutes behind others' day-to-day work is close enough for a self-check that says when it ran, and the
# coordinator's 重新检查 runs it at once. 0: always exact.
READINESS_LAG_SECONDS = env.int("READINESS_LAG_SECONDS", default=300)
# The task queue: the database (django-tasks-db, `manage.py db_worker`) by default; Redis through django-tasks-rq
# with TASKS_BACKEND=django_tasks_rq.RQBackend (workers: `manage.py rqworker default --job-class
# django_tasks_rq.Job`; the queue lives in REDIS_URL's database, or RQ_REDIS_URL's).
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}
REDIS_URL = env.str("REDIS_URL", default="")
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    _rq_url = env.str("RQ_REDIS_URL", default="") or REDIS_URL
    if not _rq_url:
        raise ImproperlyConfigured("TASKS_BACKEND=django_tasks_rq.RQBackend needs REDIS_URL (or RQ_REDIS_URL).")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # A job may build a report for minutes; a worker that dies mid-job leaves a job rq marks failed (and
    # jobs_sweep marks our own Job row failed once its heartbeat stops).
    RQ_QUEUES = {"default": {"URL": _rq_url, "DEFAULT_TIMEOUT": env.int("RQ_JOB_TIMEOUT", default=3600)}}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}

# Security. With DEBUG off the site is HTTPS-only; /healthz stays reachable over HTTP for load balancers.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Reverse proxies whose X-Forwarded-For the audit trail believes (civunit/audit.py), e.g. 127.0.0.1 for nginx.
AUDIT_TRUSTED_PROXIES = env.list("AUDIT_TRUSTED_PROXIES", default=[])
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "civunit.views.csrf_failure"
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# The cache (per process by default). Give several web processes a shared one so that the download throttle counts
# across them: CACHE_URL=dbcache://civunit_cache (then `manage.py createcachetable`), or redis://… (needs the
# `redis` package, not installed by default).
# With REDIS_URL set (redis://127.0.0.1:6379/0) the cache is Django's Redis cache and sessions live in it
# (cached_db: written through to the database too, so a flushed Redis logs nobody out), so that any number of
# web processes on any number of machines share them. CACHE_URL, when set, wins for the cache.
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="civunit"),
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
SESSION_ENGINE = env.str(
    "SESSION_ENGINE",
    default="django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db",
)
# Someone who meets this many 404s on download URLs (evidence files, previews) within the window is walking the
# ids: their downloads answer 429 for the block time, and the log says who.
DOWNLOAD_NOT_FOUND_LIMIT = env.int("DOWNLOAD_NOT_FOUND_LIMIT", default=20)
DOWNLOAD_NOT_FOUND_WINDOW = env.int("DOWNLOAD_NOT_FOUND_WINDOW", default=600)  # seconds
DOWNLOAD_BLOCK_SECONDS = env.int("DOWNLOAD_BLOCK_SECONDS", default=900)

# nginx in front (deploy/nginx/civunit.conf.template): the endpoints that receive one file get nginx's request
# body file instead of the body (evidence/offload.py), trusted only with this secret (the same value in the
# rendered nginx site) and only under NGINX_UPLOAD_DIR (nginx's client_body_temp_path, on the same file system as
# FILE_UPLOAD_TEMP_DIR so the file is renamed, not copied). Empty: every upload is read from the request body.
NGINX_UPLOAD_SECRET = env.str("NGINX_UPLOAD_SECRET", default="")
NGINX_UPLOAD_DIR = env.str("NGINX_UPLOAD_DIR", default="")
if NGINX_UPLOAD_SECRET and (len(NGINX_UPLOAD_SECRET) < 16 or not NGINX_UPLOAD_DIR):
    raise ImproperlyConfigured("NGINX_UPLOAD_SECRET needs at least 16 characters and NGINX_UPLOAD_DIR.")
# Downloads of stored files on the local file system storage are handed to nginx (X-Accel-Redirect to this
# internal location, an alias of MEDIA_ROOT) once the app has checked access. Empty: the app streams them.
NGINX_ACCEL_PREFIX = env.str("NGINX_ACCEL_PREFIX", default="")
if NGINX_ACCEL_PREFIX and not (NGINX_ACCEL_PREFIX.startswith("/") and NGINX_ACCEL_PREFIX.endswith("/")):
    raise ImproperlyConfigured("NGINX_ACCEL_PREFIX must start and end with a slash, e.g. /_civunit_files/.")
# On S3, downloads answer with a redirect to a presigned URL valid this many seconds (the browser must reach the
# endpoint); 0 streams the object through the app (the default: on a closed network browsers may not reach S3).
AWS_S3_DOWNLOAD_URL_SECONDS = env.int("AWS_S3_DOWNLOAD_URL_SECONDS", default=0)

# Upload limits. The single-file evidence endpoint takes exactly one file per request.
DATA_UPLOAD_MAX_NUMBER_FILES = 20
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# Evidence uploads (evidence/sniffing.py decides the kind from the bytes): the largest file of each kind.
_MB = 1024 * 1024
EVIDENCE_MAX_SIZE = {
    "photo": env.int("EVIDENCE_MAX_PHOTO_MB", default=50) * _MB,
    "document": env.int("EVIDENCE_MAX_DOCUMENT_MB", default=100) * _MB,
    "pdf": env.int("EVIDENCE_MAX_PDF_MB", default=200) * _MB,
    "spreadsheet": env.int("EVIDENCE_MAX_SPREADSHEET_MB", default=50) * _MB,
    "audio": env.int("EVIDENCE_MAX_AUDIO_MB", default=200) * _MB,
    "video": env.int("EVIDENCE_MAX_VIDEO_MB", default=1024) * _MB,
}
# An image declaring more pixels than this is refused before it is decoded (pixel floods).
EVIDENCE_MAX_IMAGE_PIXELS = env.int("EVIDENCE_MAX_IMAGE_PIXELS", default=120_000_000)
# Temporary files of uploads interrupted longer ago than this are removed (clean_evidence_uploads).
EVIDENCE_TEMP_GRACE_HOURS = env.int("EVIDENCE_TEMP_GRACE_HOURS", default=6)
# Bringing an existing archive in (import_evidence, the coordinator's ZIP import): a folder or ZIP with more
# entries, or unpacking to more bytes, is refused before anything is extracted; the web's ZIP upload is capped.
EVIDENCE_IMPORT_MAX_FILES = env.int("EVIDENCE_IMPORT_MAX_FILES", default=10_000)
EVIDENCE_IMPORT_MAX_BYTES = env.int("EVIDENCE_IMPORT_MAX_GB", default=20) * 1024 * _MB
EVIDENCE_IMPORT_MAX_UPLOAD = env.int("EVIDENCE_IMPORT_MAX_UPLOAD_MB", default=4096) * _MB
# The binder (export_archive, the archive page): how each file is named inside the ZIP. Placeholders: {standard}
# (the primary standard's code), {YYYYMMDD} {YYYY} {MM} {DD} (the item's date), {title}, {nn} (01, 02 … among
# names that are otherwise the same), {ext}, {archive_number}, {category}, {office}. Checked at startup.
EVIDENCE_BINDER_NAME_PATTERN = env.str(
    "EVIDENCE_BINDER_NAME_PATTERN", default="{standard}_{YYYYMMDD}_{title}_{nn}.{ext}"
)
# The integrity check (verify_archive --if-due, run hourly by scripts/run and daily by cron) runs once this many
# days have passed since the last check.
EVIDENCE_VERIFY_INTERVAL_DAYS = env.int("EVIDENCE_VERIFY_INTERVAL_DAYS", default=7)

# The readiness check (civunit/reports/readiness): a photo's camera date may lie this many days from its
# activity's date; two photos whose perceptual hashes differ in at most this many of 64 bits are the same photo;
# a rectification task is due this many days after it is made (no later than the day before the inspection).
READINESS_EXIF_DAYS = env.int("READINESS_EXIF_DAYS", default=30)
READINESS_PHASH_DISTANCE = env.int("READINESS_PHASH_DISTANCE", default=6)
READINESS_RECTIFY_DAYS = env.int("READINESS_RECTIFY_DAYS", default=14)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "civunit.log.RefusalFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # A refused request (403) is one line with who, method and path, not a traceback.
        "django.request": {"filters": ["refusals"]},
        "django.security.csrf": {"filters": ["refusals"]},
        # WeasyPrint reports missing glyphs through logging only; keep them visible.
        "weasyprint": {"level": "WARNING"},
        # Its rendering steps (a line per page laid out) feed the report's progress (civunit/reports/report/pdf.py)
        # and go nowhere else.
        "weasyprint.progress": {"level": "INFO", "propagate": False},
        "fontTools": {"level": "WARNING"},
    },
}

# --- The report to the municipal civilization office and other official documents (GB/T 9704 layout) ---------
# Font families by role, each a fallback chain: the official faces first (used when installed, through fontconfig
# or OFFICIAL_FONT_FILES), then free faces the setup installs. Debian has no simplified-Chinese FangSong: Noto Serif
# CJK SC stands in for 仿宋 (and for 小标宋), Noto Sans CJK SC for 黑体, AR PL UKai CN for 楷体 (README).
OFFICIAL_FONTS = {
    "title": env.list("OFFICIAL_FONT_TITLE", default=["方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC"]),
    "body": env.list(
        "OFFICIAL_FONT_BODY", default=["仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC"]
    ),
    "hei": env.list("OFFICIAL_FONT_HEI", default=["黑体", "SimHei", "Noto Sans CJK SC"]),
    "kai": env.list("OFFICIAL_FONT_KAI", default=["楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "AR PL UKai CN"]),
}
# Appended to every chain: what the faces above lack (rare characters). Emoji need no entry: fontconfig finds
# Noto Color Emoji for them, and naming it here would draw digits with it.
OFFICIAL_FONT_FALLBACK = env.list("OFFICIAL_FONT_FALLBACK", default=["Noto Serif CJK SC", "Noto Sans CJK SC"])
# Font files to load by @font-face when the official faces are not installed system-wide: family=path pairs,
# e.g. OFFICIAL_FONT_FILES=仿宋_GB2312=/srv/fonts/fsgb2312.ttf,方正小标宋简体=/srv/fonts/FZXBSJW.TTF
OFFICIAL_FONT_FILES = env.dict("OFFICIAL_FONT_FILES", default={})
# 主送: whom the report is addressed to; photos per standard in the evidence attachment.
REPORT_RECIPIENT = env.str("REPORT_RECIPIENT", default="市文明办")
REPORT_PHOTOS_PER_STANDARD = env.int("REPORT_PHOTOS_PER_STANDARD", default=4)
