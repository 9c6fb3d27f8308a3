"""Saved recovery-planner scenarios, their version for safe editing, and their runs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class SavedScenario(models.Model):
    """A scenario (docs/domain/planner-model.md TOML) kept for the service, with its latest
    projection."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    toml = models.TextField(
        help_text="The scenario, written in the planner's scenario format (TOML).")
    notes = models.TextField(blank=True, help_text="How the figures were estimated.")
    #: Raised by one on every save: an edit names the version it started from and is refused
    #: if someone else saved meanwhile (optimistic locking, decision 0013).
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    summary = models.JSONField(null=True, blank=True,
                               help_text="The latest run's summary (ehcflow.planner.metrics).")
    ran_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name


class ScenarioRun(models.Model):
    """One run of a saved scenario, on the web request when small, else as a background task.

    At most one run of a scenario is waiting or running at a time (the partial unique
    constraint), so a double-clicked "Run" starts one run, even from two browsers at once.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Did not finish"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    scenario = models.ForeignKey(SavedScenario, on_delete=models.CASCADE, related_name="runs")
    #: the scenario's version and text when the run was asked for: a later edit does not
    #: change what this run simulates, and its result is kept only if the version still holds.
    version = models.PositiveIntegerField()
    toml = models.TextField()
    replications = models.PositiveIntegerField()
    #: replications × requests simulated (planner.limits.work_units), for the time estimate.
    work = models.FloatField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario"], condition=models.Q(status__in=["queued", "running"]),
                name="planning_one_active_run_per_scenario"),
        ]

    def __str__(self) -> str:
        return f"run of {self.scenario_id} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE


class LikelyFinalPlan(models.Model):
    """The planner's likely final-plan dates for one open request, as worked out on `as_of`.

    Worked out in the background (nightly, and on demand) by `planning.forecasts`, never on a
    page's request: a page reads the latest set. Only the latest set is kept; it is replaced
    whole, in one transaction.
    """

    request = models.OneToOneField("casework.AssessmentRequest", on_delete=models.CASCADE,
                                   related_name="likely_final_plan")
    as_of = models.DateField(help_text="The day the forecast was made from the records.")
    p_plan = models.FloatField(help_text="Chance the request ends in a plan.")
    final_p10 = models.DateField(null=True, blank=True)
    final_p50 = models.DateField(null=True, blank=True)
    final_p90 = models.DateField(null=True, blank=True)
    made_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"likely final plan for request {self.request_id} on {self.as_of}"
