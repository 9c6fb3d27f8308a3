"""Saved recovery-planner scenarios and their latest run."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class SavedScenario(models.Model):
    """A scenario (planner-model.md TOML) kept for the service, with its latest projection."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    toml = models.TextField(help_text="The scenario in the TOML format of planner-model.md.")
    notes = models.TextField(blank=True, help_text="How the figures were estimated.")
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
