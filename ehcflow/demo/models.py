"""What the demo loaded, so that a re-run knows the database holds the demo and nothing else."""

from __future__ import annotations

from django.db import models


class DemoLoad(models.Model):
    """One load of the invented authority by `ehcflow demo-data`.

    Its presence marks the database as a demo database: the loader refuses to write invented
    people into a database that holds casework without one, and a second run with the same
    seed finds it and does nothing.
    """

    seed = models.PositiveBigIntegerField()
    today = models.DateField(help_text="The date the demo authority was built up to.")
    scale = models.FloatField(default=1.0)
    loaded_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField(default=0.0, help_text="How long the load took.")
    counts = models.JSONField(default=dict, help_text="Rows written, by table.")

    class Meta:
        ordering = ["loaded_at"]

    def __str__(self) -> str:
        return f"Demo authority, seed {self.seed}, as at {self.today:%d %B %Y}"
