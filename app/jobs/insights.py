"""Insight precalculation."""

from app.jobs.base import job
from app.services.portal import insights


@job
def precalculate_student_insights(student_id):
    """Compute a student's full insights into the cache and push insights:ready to the mentor."""
    return {"student_id": student_id, "mentor_told": insights.precalculate(student_id)}
