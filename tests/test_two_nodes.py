"""Two app nodes (deploy/loopback: nginx, gunicorn and a task worker each) on one PostgreSQL, one Redis and one S3
endpoint (moto on loopback), checked through each other: deploy/two_nodes.py does the work and says what it checks.
Skips, naming what is missing, where nginx, PostgreSQL, Redis or moto is absent."""

import pytest

from deploy import two_nodes


@pytest.mark.slow
def test_two_nodes_share_sessions_data_files_and_jobs():
    if missing := two_nodes.missing_prerequisites():
        pytest.skip("the two-node test needs " + "; ".join(missing))
    two_nodes.run(log=print)
