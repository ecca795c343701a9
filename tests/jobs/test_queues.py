"""The jobs table: every name imports, every queue exists, enqueue refuses unknown names."""

import pytest
from rq.utils import import_attribute

from app.jobs.queues import JOBS, QUEUE_NAMES, enqueue
from app.jobs.schedule import PERIODIC


@pytest.mark.parametrize("name", sorted(JOBS))
def test_every_job_in_the_table_imports(name):
    assert callable(import_attribute(name))
    assert JOBS[name].queue in QUEUE_NAMES


def test_periodic_jobs_are_in_the_table():
    assert all(p.job in JOBS for p in PERIODIC)


def test_enqueue_takes_queue_retry_and_timeout_from_the_table():
    job = enqueue("app.jobs.alerts.check_alert", 1)
    assert job.origin == JOBS["app.jobs.alerts.check_alert"].queue
    assert job.timeout == JOBS["app.jobs.alerts.check_alert"].timeout
    assert job.retries_left == JOBS["app.jobs.alerts.check_alert"].retry.max


def test_an_unknown_job_is_refused():
    with pytest.raises(ValueError, match="declare it"):
        enqueue("app.jobs.nope.missing")
