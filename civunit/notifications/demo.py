"""Demo data of this app, called by `manage.py seed_demo` in order. Running it again leaves the same rows."""


def seed(*, scale: int = 1, stdout=None) -> None:
    """Nothing yet."""
