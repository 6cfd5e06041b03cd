import datetime

import pytest

from tests.tasks.factories import TaskFactory


@pytest.fixture
def task_a(cast, campaign):
    """A top-level task led by office A, assigned to staff_a, supported by office B."""
    return TaskFactory(
        campaign=campaign,
        code="1",
        lead_office=cast.office_a,
        people=[cast.staff_a],
        supporting=[cast.office_b],
        deadline=datetime.date(2026, 6, 30),
    )
