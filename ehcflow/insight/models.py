"""DfE's published EHC plan figures for every authority, and this authority's comparators.

One row per published figure (`NationalFigure`: release × geography × year × measure), not one
wide table per DfE file: see docs/decisions/0005-national-figures.md. The measures and the DfE
file and column each comes from are listed once, in `ehcflow.insight.dfe.MEASURES`.

No rules live here: `services.py` loads releases and sets comparators, `selectors.py` reads.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from ehcflow.insight import dfe


class GeographicLevel(models.TextChoices):
    """EES `geographic_level` values that ehcflow keeps."""

    NATIONAL = dfe.NATIONAL, "National"
    REGIONAL = dfe.REGIONAL, "Regional"
    LOCAL_AUTHORITY = dfe.LOCAL_AUTHORITY, "Local authority"


class Release(models.Model):
    """One loaded DfE release, "Education, health and care plans", reporting year N.

    Reloading a release replaces its figures. A later release may revise earlier years; readers
    take each year from the latest release that publishes it.
    """

    reporting_year = models.PositiveSmallIntegerField(unique=True)
    source = models.CharField(max_length=200, help_text="The folder the release was loaded from.")
    files = models.JSONField(default=dict, help_text="Per file: rows read, SHA-256, years.")
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reporting_year"]

    def __str__(self) -> str:
        return f"Education, health and care plans, reporting year {self.reporting_year}"


class Authority(models.Model):
    """England, a region or a local authority, as the DfE files name it.

    `code` is the ONS code of the geography: `country_code` for England, `region_code` for a
    region, `new_la_code` for a local authority (e.g. E06000058, old code 839, for Bournemouth,
    Christchurch and Poole).
    """

    code = models.CharField(max_length=9, unique=True)
    geographic_level = models.CharField(max_length=20, choices=GeographicLevel.choices)
    name = models.CharField(max_length=120)
    new_la_code = models.CharField(max_length=9, blank=True)
    old_la_code = models.CharField(max_length=3, blank=True)
    region_code = models.CharField(max_length=9, blank=True)
    region_name = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["geographic_level", "name"]
        verbose_name_plural = "authorities"
        indexes = [models.Index(fields=["old_la_code"]), models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_local_authority(self) -> bool:
        return self.geographic_level == GeographicLevel.LOCAL_AUTHORITY


class NationalFigure(models.Model):
    """One published figure: a measure of one geography in one year, from one release.

    `time_period` is the calendar year for activity files (requests, assessments, timeliness,
    new plans, annual reviews) and the year of the January census for caseload.csv, whose
    academic-year code `202425` becomes 2025 (`period_code` keeps "202425"). A figure DfE did
    not publish has no value and keeps DfE's marker in `status` (`x` unavailable, `z` not
    applicable, ...); a published figure has an empty status.
    """

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="figures")
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="figures")
    time_period = models.PositiveSmallIntegerField()
    period_code = models.CharField(max_length=6)
    measure = models.CharField(max_length=60)
    value = models.DecimalField(
        max_digits=dfe.MAX_DIGITS, decimal_places=dfe.MAX_DECIMAL_PLACES, null=True, blank=True
    )
    status = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "authority", "time_period", "measure"],
                name="national_figure_unique",
            ),
            models.CheckConstraint(
                condition=(Q(value__isnull=True) & ~Q(status=""))
                | (Q(value__isnull=False) & Q(status="")),
                name="national_figure_value_or_marker",
            ),
        ]
        indexes = [models.Index(fields=["measure", "time_period"])]

    def __str__(self) -> str:
        shown = self.status if self.value is None else self.value
        return f"{self.authority.name} {self.time_period} {self.measure} = {shown}"


class Neighbour(models.Model):
    """A local authority that `authority` chooses to compare itself with, in order."""

    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="neighbour_links"
    )
    neighbour = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["authority", "position"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "neighbour"], name="neighbour_unique"),
            models.CheckConstraint(
                condition=~Q(authority=F("neighbour")), name="neighbour_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority.name} compares with {self.neighbour.name}"


class OurAuthority(models.Model):
    """The authority this installation serves, when chosen explicitly (one row at most).

    Without a row, `selectors.our_authority()` falls back to the EHCFLOW_LA_CODE environment
    variable, then to settings.EHCFLOW_AUTHORITY_NAME.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "our authority"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="our_authority_single_row")]

    def __str__(self) -> str:
        return f"Our authority: {self.authority.name}"


class Snapshot(models.Model):
    """The measures as they stood on one day, recorded that night (or backfilled later).

    Case records change after the event (a late-entered decision, a corrected date), and a
    trend counted today from today's records is not what the service reported at the time.
    A snapshot keeps each day's figures as recorded: report 000's table 2 ("a snapshot of
    performance this year") is read from these. Written by `insight.snapshots` only; a
    snapshot of a past day is never rewritten.
    """

    on = models.DateField(unique=True)
    taken_at = models.DateTimeField(auto_now=True)
    backfilled = models.BooleanField(
        default=False,
        help_text="Counted later from the records as they then stood, not on the night.",
    )
    open = models.PositiveIntegerField()
    up_to_6_weeks = models.PositiveIntegerField()
    over_6_to_20_weeks = models.PositiveIntegerField()
    over_20_to_30_weeks = models.PositiveIntegerField()
    over_30_to_50_weeks = models.PositiveIntegerField()
    over_50_weeks = models.PositiveIntegerField()
    plans_maintained = models.PositiveIntegerField()
    officer_fte = models.DecimalField(max_digits=7, decimal_places=2)
    kpis_12_months = models.JSONField(help_text="`ehcflow kpis --as-of` that day, as JSON.")
    kpis_month = models.JSONField(help_text="The same for the calendar month to that day.")

    class Meta:
        ordering = ["on"]

    def __str__(self) -> str:
        return f"Snapshot of {self.on}"

    @property
    def over_20_weeks(self) -> int:
        return self.over_20_to_30_weeks + self.over_30_to_50_weeks + self.over_50_weeks

    @property
    def over_30_weeks(self) -> int:
        return self.over_30_to_50_weeks + self.over_50_weeks
