"""The scenario editor's forms: one per section of a planner scenario
(docs/domain/planner-model.md).

Each form reads its section from the scenario's TOML mapping (``initial_from``) and writes it
back (``apply``).  A figure the user did not change is written back exactly as it was (so a
fraction like 837.4 requests a year shown as 837, or an exponential delay shown by its median
and 90th percentile, is kept as it is); only changed figures are replaced.  Type errors are
caught here in plain English ("Number of case officers must be a whole number, like 4"); ranges
and the bounds of planner.limits are checked by the planner's own checker, whose problems
``add_problems`` puts beside the field they name.

Longer than 500 lines on purpose: one form per section of the scenario, all sharing the section
form's reading and writing of the TOML mapping.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError

from ehcflow.planner import limits
from ehcflow.planner.scenario import MAX_MONTHS
from ehcflow.web.forms import GovukDateField, GovukForm

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
#: The hidden version is missing or altered: the page was not one this service sent.
STALE_PAGE = "This page is out of date. Open the scenario again and make the change once more"


def _plain_number(value: str) -> str:
    """Commas and spaces people type in numbers (1,200) and a leading £ are ignored."""
    return value.replace(",", "").replace(" ", "").replace("£", "").strip()


class NumberField(forms.CharField):
    """A number typed as text, with GOV.UK's plain messages naming the field and an example."""

    def __init__(self, *, label: str, example: str, whole: bool = False,
                 low: float | None = None, high: float | None = None, unit: str = "",
                 **kwargs: Any) -> None:
        self.whole, self.example, self.low, self.high = whole, example, low, high
        self.what = label
        kind = "a whole number" if whole else "a number"
        self.kind_message = f"{label} must be {kind}, like {example}"
        kwargs.setdefault("required", True)
        super().__init__(label=label, max_length=20, error_messages={
            "required": f"Enter the {label[0].lower() + label[1:]}",
            "max_length": self.kind_message,
        }, **kwargs)
        self.unit = unit

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        plain = _plain_number(str(text))
        if not _NUMBER.match(plain):
            raise ValidationError(self.kind_message, code="invalid")
        number = float(plain)
        if self.whole and not number.is_integer():
            raise ValidationError(self.kind_message, code="invalid")
        if math.isinf(number) or math.isnan(number):
            raise ValidationError(self.kind_message, code="invalid")
        if self.low is not None and number < self.low:
            raise ValidationError(f"{self.what} must be {_n(self.low)}{self.unit} or more",
                                  code="low")
        if self.high is not None and number > self.high:
            raise ValidationError(f"{self.what} must be {_n(self.high)}{self.unit} or less",
                                  code="high")
        return int(number) if self.whole else number

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value: Any) -> None:  # max_length applies to the text only
        return


def _n(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,}"


def _shown(x: Any, places: int = 2) -> Any:
    """A TOML number as the form shows it: whole numbers without '.0', others rounded."""
    if x is None or isinstance(x, bool) or not isinstance(x, int | float):
        return x
    r = round(float(x), places)
    return int(r) if r.is_integer() else r


class SectionForm(GovukForm):
    """A form for one section; ``PATHS`` maps the checker's key paths to this form's fields."""

    PATHS: ClassVar[dict[str, str]] = {}
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1,
                                 error_messages=dict.fromkeys(
                                     ("required", "invalid", "min_value"), STALE_PAGE))

    def keep_or(self, name: str, old: Any, new: Any) -> Any:
        """``old`` if the field shows it unchanged, else ``new``."""
        return old if self.cleaned_data.get(name) == self.initial.get(name) else new

    def field_for(self, path: str) -> str | None:
        if path in self.PATHS:
            return self.PATHS[path]
        return None

    def add_problems(self, problems: list[str], prefix: str = "") -> None:
        """Put each checker problem ("path: message") beside its field, in plain words."""
        for problem in problems:
            path, _, message = problem.partition(": ")
            key = path[len(prefix):] if prefix and path.startswith(prefix) else path
            name = self.field_for(key)
            if name is None or name not in self.fields:
                self.add_error(None, _sentence(message) if key in ("", prefix.rstrip("."))
                               else f"{_sentence(message)} ({_readable(path)})")
                continue
            label = str(self.fields[name].label)
            message = message.replace("[[advice]]", "kind of advice").replace(
                "[[staff]]", "staff group")  # the file's words, not the page's
            joined = f"{label} {message}" if message.startswith("must") else \
                f"{label}: {message}"
            self.add_error(name, joined)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _readable(path: str) -> str:
    return path.replace("_", " ").replace(".", ", ")


# --------------------------------------------------------------------------- settings


POLICY_CHOICES = [("oldest_first", "Oldest requests first"),
                  ("newest_first", "Newest requests first")]


class SettingsForm(SectionForm):
    """Name, start, horizon, replications, seed, priority and the 'cleared' level."""

    PATHS: ClassVar[dict[str, str]] = {
        "name": "name", "start": "start", "months": "months", "replications": "replications",
        "seed": "seed", "policy": "policy", "cleared_at": "cleared_at",
    }
    name = forms.CharField(label="Name", max_length=limits.MAX_NAME_CHARS, error_messages={
        "required": "Enter a name for the scenario",
        "max_length": f"Name must be {limits.MAX_NAME_CHARS} characters or fewer"})
    start = GovukDateField(label="Start date", allow_future=True,
                           help_text="The first day projected. For example, 1 8 2026")
    months = NumberField(label="Months to project", example="24", whole=True, low=1,
                         high=MAX_MONTHS)
    replications = NumberField(
        label="Replications", example="1000", whole=True, low=1,
        high=limits.MAX_BROWSER_REPLICATIONS,
        help_text="How many times the months are simulated. 1,000 give percentiles to within "
                  "about a percentage point.")
    seed = NumberField(label="Seed", example="1", whole=True, low=0, required=False,
                       help_text="The same seed repeats a run exactly. Leave empty for a new "
                                 "seed each run.")
    policy = forms.ChoiceField(label="Which requests officers take first",
                               choices=POLICY_CHOICES, widget=forms.RadioSelect,
                               error_messages={"required": "Choose which requests come first",
                                               "invalid_choice": "Choose which requests come "
                                                                 "first"})
    cleared_at = NumberField(
        label="Backlog counted as cleared at", example="0", whole=True, low=0,
        high=limits.MAX_CLEARED_AT,
        help_text="Requests open more than 20 weeks that a service working on time still "
                  "carries.")

    @staticmethod
    def initial_from(mapping: dict[str, Any]) -> dict[str, Any]:
        start = mapping.get("start")
        return {
            "name": mapping.get("name", ""), "start": start if isinstance(start, date) else None,
            "months": _shown(mapping.get("months")),
            "replications": _shown(mapping.get("replications", 1000)),
            "seed": _shown(mapping.get("seed")), "policy": mapping.get("policy", "oldest_first"),
            "cleared_at": _shown(mapping.get("cleared_at", 0)),
        }

    def apply(self, mapping: dict[str, Any]) -> dict[str, Any]:
        out = dict(mapping)
        data = self.cleaned_data
        for key in ("name", "start", "months", "replications", "policy", "cleared_at"):
            out[key] = self.keep_or(key, mapping.get(key), data[key])
        if data["seed"] is None:
            out.pop("seed", None)
        else:
            out["seed"] = self.keep_or("seed", mapping.get("seed"), data["seed"])
        return out


# --------------------------------------------------------------------------- demand


class DemandForm(SectionForm):
    """docs/domain/planner-model.md, "Demand": requests a year, growth, the shares assessed and
    planned."""

    PATHS: ClassVar[dict[str, str]] = {
        "demand.requests_per_year": "requests_per_year",
        "demand.growth_per_year": "growth_per_year",
        "demand.assess_rate": "assess_rate", "demand.plan_rate": "plan_rate",
        "start_state": "requests_per_year",
    }
    requests_per_year = NumberField(label="Requests a year", example="1200", whole=True, low=0,
                                    high=limits.MAX_REQUESTS_PER_YEAR)
    growth_per_year = NumberField(
        label="Growth in requests a year (%)", example="5", low=-99,
        high=limits.MAX_GROWTH_PER_YEAR * 100, unit="%",
        help_text="For example, 5 for 5% more requests each year, or -3 for fewer.")
    assess_rate = NumberField(label="Requests assessed (%)", example="75", low=0, high=100,
                              unit="%")
    plan_rate = NumberField(label="Assessments that lead to a plan (%)", example="90", low=0,
                            high=100, unit="%")

    @staticmethod
    def initial_from(mapping: dict[str, Any]) -> dict[str, Any]:
        d = mapping.get("demand", {})
        return {
            "requests_per_year": _shown(round(d.get("requests_per_year", 0))),
            "growth_per_year": _shown(100 * d.get("growth_per_year", 0.0), 1),
            "assess_rate": _shown(100 * d.get("assess_rate", 0.0), 1),
            "plan_rate": _shown(100 * d.get("plan_rate", 0.0), 1),
        }

    def apply(self, mapping: dict[str, Any]) -> dict[str, Any]:
        out = dict(mapping)
        old = dict(mapping.get("demand", {}))
        data = self.cleaned_data
        new = dict(old)
        new["requests_per_year"] = self.keep_or("requests_per_year",
                                                old.get("requests_per_year"),
                                                data["requests_per_year"])
        for key in ("growth_per_year", "assess_rate", "plan_rate"):
            new[key] = self.keep_or(key, old.get(key), round(data[key] / 100, 6))
        out["demand"] = new
        return out


# --------------------------------------------------------------------------- work


def _dist_initial(value: Any) -> tuple[Any, Any]:
    """(median, p90) as shown: a constant, a lognormal table, or an exponential by its mean."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _shown(value), _shown(value)
    if isinstance(value, dict):
        if value.get("kind") == "exponential" and "mean" in value:
            mean = float(value["mean"])
            return _shown(mean * math.log(2.0)), _shown(mean * math.log(10.0))
        return _shown(value.get("median")), _shown(value.get("p90"))
    return None, None


WORK_KEYS = (
    ("decision_hours", "Hours to decide whether to assess", "3"),
    ("ep_hours", "Hours of educational psychologist's work", "12"),
    ("draft_hours", "Hours to write the draft plan", "10"),
    ("final_hours", "Hours to finalise the plan", "4"),
)


class DistributionMixin:
    """Median and 90th percentile fields for one effort or delay, kept if unchanged."""

    def dist_apply(self, form: SectionForm, old: Any, name: str) -> Any:
        med, p90 = f"{name}_median", f"{name}_p90"
        data = form.cleaned_data
        if data[med] == form.initial.get(med) and data[p90] == form.initial.get(p90):
            return old
        return {"median": data[med], "p90": data[p90]}


class WorkForm(SectionForm, DistributionMixin):
    """docs/domain/planner-model.md, "Work": hours per request (median and 90th percentile) and the
    parents' comment period (Regulation 13: 15 days)."""

    PATHS: ClassVar[dict[str, str]] = {"work.comment_days": "comment_days"}
    comment_days = NumberField(label="Days parents have to comment on the draft", example="15",
                               low=0, high=365)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label, example in WORK_KEYS:
            self.fields[f"{key}_median"] = NumberField(
                label=f"{label}, usually", example=example, low=0,
                high=limits.MAX_EFFORT_HOURS, help_text="The median: half take less.")
            self.fields[f"{key}_p90"] = NumberField(
                label=f"{label}, at most in 9 cases out of 10", example=str(2 * int(example)),
                low=0, high=limits.MAX_EFFORT_HOURS, help_text="The 90th percentile.")
        self.order_fields([f"{k}_{s}" for k, _, _ in WORK_KEYS for s in ("median", "p90")]
                          + ["comment_days"])

    def field_for(self, path: str) -> str | None:
        if path.startswith("work."):
            parts = path.split(".")
            if len(parts) >= 2 and parts[1] in dict((k, 1) for k, _, _ in WORK_KEYS):
                return f"{parts[1]}_{'p90' if parts[-1] == 'p90' else 'median'}"
        return super().field_for(path)

    @staticmethod
    def initial_from(mapping: dict[str, Any]) -> dict[str, Any]:
        w = mapping.get("work", {})
        out: dict[str, Any] = {"comment_days": _shown(w.get("comment_days", 15))}
        for key, _, _ in WORK_KEYS:
            out[f"{key}_median"], out[f"{key}_p90"] = _dist_initial(w.get(key))
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key, label, _ in WORK_KEYS:
            med, p90 = data.get(f"{key}_median"), data.get(f"{key}_p90")
            if med is not None and p90 is not None and p90 < med:
                self.add_error(f"{key}_p90", f"{label}, at most in 9 cases out of 10, must be "
                                             f"at least the usual hours ({_n(med)})")
        return data

    def apply(self, mapping: dict[str, Any]) -> dict[str, Any]:
        out = dict(mapping)
        old = dict(mapping.get("work", {}))
        new = dict(old)
        for key, _, _ in WORK_KEYS:
            new[key] = self.dist_apply(self, old.get(key), key)
        new["comment_days"] = self.keep_or("comment_days", old.get("comment_days"),
                                           self.cleaned_data["comment_days"])
        if new["comment_days"] is None:
            new.pop("comment_days")
        out["work"] = new
        return out


# --------------------------------------------------------------------------- advice


class AdviceForm(SectionForm, DistributionMixin):
    """One kind of external advice (docs/domain/planner-model.md, "Advice"; Regulation 6)."""

    PATHS: ClassVar[dict[str, str]] = {"name": "name", "probability": "probability"}
    name = forms.CharField(label="Name of the advice", max_length=100, help_text="For example, "
                           "health", error_messages={
                               "required": "Enter the name of the advice",
                               "max_length": "Name of the advice must be 100 characters or "
                                             "fewer"})
    probability = NumberField(label="Requests that need it (%)", example="80", low=0, high=100,
                              unit="%")
    delay_median = NumberField(label="Days it takes, usually", example="30", low=0,
                               high=limits.MAX_DELAY_DAYS, help_text="The median: half take "
                               "less.")
    delay_p90 = NumberField(label="Days it takes at most in 9 cases out of 10", example="60",
                            low=0, high=limits.MAX_DELAY_DAYS,
                            help_text="The 90th percentile.")

    def field_for(self, path: str) -> str | None:
        if path.startswith("delay_days"):
            return "delay_p90" if path.endswith("p90") else "delay_median"
        return super().field_for(path)

    @staticmethod
    def initial_from(item: dict[str, Any]) -> dict[str, Any]:
        median, p90 = _dist_initial(item.get("delay_days"))
        return {"name": item.get("name", ""),
                "probability": _shown(100 * item.get("probability", 0.0), 1),
                "delay_median": median, "delay_p90": p90}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        med, p90 = data.get("delay_median"), data.get("delay_p90")
        if med is not None and p90 is not None and p90 < med:
            self.add_error("delay_p90", "Days it takes at most in 9 cases out of 10 must be at "
                                        f"least the usual days ({_n(med)})")
        return data

    def apply(self, item: dict[str, Any]) -> dict[str, Any]:
        new = dict(item)
        new["name"] = self.cleaned_data["name"]
        new["probability"] = self.keep_or("probability", item.get("probability"),
                                          round(self.cleaned_data["probability"] / 100, 6))
        new["delay_days"] = self.dist_apply(self, item.get("delay_days"), "delay")
        return new


# --------------------------------------------------------------------------- staff


ROLE_CHOICES = [("case_officer", "Case officers"),
                ("educational_psychologist", "Educational psychologists")]
SERVES_CHOICES = [("all", "All requests"),
                  ("overdue", "Only requests already over 20 weeks (a backlog team)"),
                  ("in_time", "Only requests still within 20 weeks")]
COUNT_LABELS = {"case_officer": "Number of case officers",
                "educational_psychologist": "Number of educational psychologists"}


class StaffForm(SectionForm):
    """One staff group (docs/domain/planner-model.md, "Staff" and "Cost")."""

    PATHS: ClassVar[dict[str, str]] = {
        "name": "name", "role": "role", "count": "count", "hours_per_week": "hours_per_week",
        "start": "start", "end": "end", "ramp_from": "ramp_from", "ramp_weeks": "ramp_weeks",
        "serves": "serves", "cost_per_year": "cost_per_year", "day_rate": "day_rate",
        "days_per_week": "days_per_week",
    }
    name = forms.CharField(label="Name of the group", max_length=limits.MAX_NAME_CHARS,
                           help_text="For example, backlog case officers", error_messages={
                               "required": "Enter a name for the group",
                               "max_length": f"Name of the group must be "
                                             f"{limits.MAX_NAME_CHARS} characters or fewer"})
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES, widget=forms.RadioSelect,
                             error_messages={"required": "Choose the role",
                                             "invalid_choice": "Choose the role"})
    count = NumberField(label="Number of people", example="4", whole=True, low=0,
                        high=limits.MAX_GROUP_COUNT)
    hours_per_week = NumberField(label="Hours each works a week on EHC work", example="37",
                                 low=0, high=168)
    start = GovukDateField(label="Start date", allow_future=True, required=False,
                           help_text="Leave empty if in post from the start. For example, "
                                     "1 9 2026")
    end = GovukDateField(label="End date", allow_future=True, required=False,
                         help_text="Leave empty if in post to the end. For example, 28 2 2027")
    ramp_from = NumberField(label="Productivity when they start (%)", example="50", low=0,
                            high=100, unit="%", help_text="100 if they are fully productive "
                            "from the first day.")
    ramp_weeks = NumberField(label="Weeks to reach full productivity", example="8", low=0,
                             high=520)
    serves = forms.ChoiceField(label="Which requests they work on", choices=SERVES_CHOICES,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Choose which requests they work on",
                                               "invalid_choice": "Choose which requests they "
                                                                 "work on"})
    cost_per_year = NumberField(
        label="Cost of each a year (£)", example="50000", low=0, high=limits.MAX_COST_PER_YEAR,
        required=False, help_text="Leave empty if paid by the day.")
    day_rate = NumberField(label="Day rate of each (£)", example="500", low=0,
                           high=limits.MAX_DAY_RATE, required=False,
                           help_text="Only for staff paid by the day.")
    days_per_week = NumberField(label="Days a week paid", example="5", low=0, high=7,
                                required=False, help_text="Only for staff paid by the day.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = args[0] if args else kwargs.get("data")
        role = (data.get("role") if data is not None else None) or self.initial.get("role")
        label = COUNT_LABELS.get(str(role), "Number of people")
        self.fields["count"] = NumberField(label=label, example="4", whole=True, low=0,
                                           high=limits.MAX_GROUP_COUNT)
        self.order_fields([*self.PATHS, "version"])

    def field_for(self, path: str) -> str | None:
        if path == "staff":  # the total of all groups: this group's count is what changed
            return "count"
        return super().field_for(path)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        s, e = data.get("start"), data.get("end")
        if s is not None and e is not None and e < s:
            self.add_error("end", "The end date must be the same as or after the start date")
        has_year = data.get("cost_per_year") is not None
        has_day = data.get("day_rate") is not None or data.get("days_per_week") is not None
        if has_year and has_day:
            self.add_error("cost_per_year", "Give either a cost a year, or a day rate and days "
                                            "a week, not both")
        elif not has_year and not has_day and not self.has_error("cost_per_year"):
            self.add_error("cost_per_year", "Enter the cost of each a year, or a day rate and "
                                            "days a week")
        elif has_day and data.get("day_rate") is None and not self.has_error("day_rate"):
            self.add_error("day_rate", "Enter the day rate of each")
        elif has_day and data.get("days_per_week") is None and \
                not self.has_error("days_per_week"):
            self.add_error("days_per_week", "Enter the days a week paid")
        return data

    @staticmethod
    def initial_from(item: dict[str, Any]) -> dict[str, Any]:
        def d(key: str) -> date | None:
            v = item.get(key)
            return v if isinstance(v, date) else None

        return {
            "name": item.get("name", ""), "role": item.get("role", "case_officer"),
            "count": _shown(item.get("count")), "hours_per_week": _shown(item.get(
                "hours_per_week")),
            "start": d("start"), "end": d("end"),
            "ramp_from": _shown(100 * item.get("ramp_from", 1.0), 1),
            "ramp_weeks": _shown(item.get("ramp_weeks", 0)), "serves": item.get("serves", "all"),
            "cost_per_year": _shown(item.get("cost_per_year")),
            "day_rate": _shown(item.get("day_rate")),
            "days_per_week": _shown(item.get("days_per_week")),
        }

    def apply(self, item: dict[str, Any]) -> dict[str, Any]:
        data = self.cleaned_data
        new = dict(item)
        for key in ("name", "role", "serves"):
            new[key] = data[key]
        for key in ("count", "hours_per_week", "ramp_weeks", "start", "end", "cost_per_year",
                    "day_rate", "days_per_week"):
            value = self.keep_or(key, item.get(key), data[key])
            if value is None:
                new.pop(key, None)
            else:
                new[key] = value
        new["ramp_from"] = self.keep_or("ramp_from", item.get("ramp_from"),
                                        round(data["ramp_from"] / 100, 6))
        if new["ramp_from"] is None:
            new.pop("ramp_from")
        return new


# --------------------------------------------------------------------------- TOML


class ScenarioForm(GovukForm):
    """The whole scenario as TOML, for analysts (import, and edit as text)."""

    name = forms.CharField(label="Name", max_length=limits.MAX_NAME_CHARS, error_messages={
        "required": "Enter a name for the scenario",
        "max_length": f"Name must be {limits.MAX_NAME_CHARS} characters or fewer"})
    toml = forms.CharField(
        label="Scenario", widget=forms.Textarea, max_length=limits.MAX_TOML_CHARS,
        help_text="In the planner's TOML format: demand, work, advice, staff (with start and end "
                  "dates and cost) and the starting state. Errors name the setting to fix.",
        error_messages={"required": "Enter the scenario",
                        "max_length": f"The scenario must be {limits.MAX_TOML_CHARS:,} "
                                      f"characters or fewer"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1,
                                 error_messages=dict.fromkeys(("invalid", "min_value"),
                                                              STALE_PAGE))
