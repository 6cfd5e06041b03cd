"""The fixed cast used by every test: staff and head of office A, staff and head of office B, the coordinator
(who also heads the 办公室), leadership, an administrator, and anonymous visitors (the plain `client`)."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from civunit.accounts.models import Office, User
from civunit.accounts.roles import Role
from tests.factories import PASSWORD, CampaignFactory, OfficeFactory, UserFactory
from tests.robot_server import robot_certificate, robot_server  # noqa: F401 (fixtures)
from tests.storage import moto_endpoint, s3, stored  # noqa: F401 (fixtures)

# The group robots' encryption key in tests (a Fernet key; production reads ROBOT_SECRET_KEY from the environment).
ROBOT_TEST_KEY = "m3bX3d8pZ6nJq0n9T0m1bQ9YkQ2t8JdZ5tCq3wz6l0E="

# The settings every test runs with (_test_settings, _media_root), for fixtures of a wider scope than a test.
TEST_SETTINGS = {
    "TASKS": {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "SECURE_SSL_REDIRECT": False,
    "AXES_ENABLED": False,
    "ROBOT_SECRET_KEY": [ROBOT_TEST_KEY],
}


@dataclass
class Cast:
    office_a: Office
    office_b: Office
    office_main: Office
    staff_a: User
    head_a: User
    staff_b: User
    head_b: User
    coordinator: User
    leader: User
    admin: User

    @property
    def everyone(self) -> dict[str, User]:
        return {
            "staff_a": self.staff_a,
            "head_a": self.head_a,
            "staff_b": self.staff_b,
            "head_b": self.head_b,
            "coordinator": self.coordinator,
            "leader": self.leader,
            "admin": self.admin,
        }


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """A temporary MEDIA_ROOT and upload folder per test: no test sees another's files."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    (tmp_path / "upload-tmp").mkdir()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Counters kept in the cache (the download throttle) start from nothing in every test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _test_settings(settings):
    for name, value in TEST_SETTINGS.items():
        setattr(settings, name, value)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # the dashboard keeps its figures in the cache: no test sees another's (their keys may repeat across tests)
    cache.clear()


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


def make_cast() -> Cast:
    """The cast's rows (get-or-create by name: calling it again returns the same people); for fixtures of a
    wider scope than a test, which cannot use `cast`."""
    office_main = OfficeFactory(name="办公室", short_name="机关办公室", ordering=1)
    office_a = OfficeFactory(name="研究室", ordering=2)
    office_b = OfficeFactory(name="提案委员会办公室", ordering=3)
    leaders = OfficeFactory(name="机关党组", kind=Office.Kind.SECTION, ordering=4)
    c = Cast(
        office_a=office_a,
        office_b=office_b,
        office_main=office_main,
        staff_a=UserFactory(username="staff_a", real_name="张伟", office=office_a, roles=[Role.STAFF]),
        head_a=UserFactory(username="head_a", real_name="李明", office=office_a, roles=[Role.OFFICE_HEAD, Role.STAFF]),
        staff_b=UserFactory(username="staff_b", real_name="刘洋", office=office_b, roles=[Role.STAFF]),
        head_b=UserFactory(username="head_b", real_name="王芳", office=office_b, roles=[Role.OFFICE_HEAD, Role.STAFF]),
        coordinator=UserFactory(
            username="coordinator",
            real_name="陈静",
            office=office_main,
            roles=[Role.COORDINATOR, Role.OFFICE_HEAD, Role.STAFF],
        ),
        leader=UserFactory(username="leader", real_name="赵国强", office=leaders, roles=[Role.LEADERSHIP]),
        admin=UserFactory(username="admin", real_name="孙立", office=office_main, roles=[Role.ADMIN]),
    )
    for office, head in ((office_a, c.head_a), (office_b, c.head_b), (office_main, c.coordinator)):
        office.head = head
        office.save()
    return c


@pytest.fixture
def campaign(db):
    return CampaignFactory()


@pytest.fixture
def login():
    """login(user) -> a Client signed in as that user (force_login: no password hashing cost)."""

    def _login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password() -> str:
    return PASSWORD
