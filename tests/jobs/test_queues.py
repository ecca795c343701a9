"""The jobs table: every name imports, every queue exists, enqueue refuses unknown names."""

import pytest
from rq.utils import import_attribute

from app.jobs.schedule import PERIODIC
from app.services.shared.queues import JOBS, QUEUE_NAMES, enqueue, queue_name


@pytest.mark.parametrize("name", sorted(JOBS))
def test_every_job_in_the_table_imports(name):
    assert callable(import_attribute(name))
    assert JOBS[name].queue in QUEUE_NAMES


def test_periodic_jobs_are_in_the_table():
    assert all(p.job in JOBS for p in PERIODIC)


def test_enqueue_takes_queue_retry_and_timeout_from_the_table():
    job = enqueue("app.jobs.alerts.check_alert", 1)
    assert job.origin == queue_name(JOBS["app.jobs.alerts.check_alert"].queue)
    assert job.origin.endswith(":high")  # <namespace>:high
    assert job.timeout == JOBS["app.jobs.alerts.check_alert"].timeout
    assert job.retries_left == JOBS["app.jobs.alerts.check_alert"].retry.max


def test_an_unknown_job_is_refused():
    with pytest.raises(ValueError, match="declare it"):
        enqueue("app.jobs.nope.missing")


def test_an_explicit_job_id_carries_the_namespace():
    """RQ keeps one job per id per Redis database: another deployment's id must not clash."""
    from app import namespace

    job = enqueue("app.jobs.alerts.check_alert", 1, job_id="check-1")
    assert job.id == f"{namespace.current()}-check-1"
