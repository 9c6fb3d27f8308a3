"""The figures the demo authority is built to reproduce, each with where it comes from.

The demo imitates the council of report 000 (BCP Council, "SEND – Accelerated Timeliness",
Cabinet, 27 September 2023) using its own tables where the report has them and the DfE
per-authority statistics (shared/data/dfe-ehcp-2025, "Bournemouth, Christchurch and Poole",
E06000058 / LA 839) where the report stops. Every figure is counted as docs/domain/measures.md
defines it,
so `ehcflow kpis` on the demo database returns these numbers (calibration in tests/demo).
"""

from __future__ import annotations

from datetime import date

# Requests for an EHC needs assessment received per calendar year (`requests_received`).
# 2019-2022: report 000 table 1; 2023-2024: DfE requests.csv, BCP, "All requests".
REQUESTS_RECEIVED: dict[int, int] = {
    2019: 541,
    2020: 481,
    2021: 592,
    2022: 837,
    2023: 903,
    2024: 1230,
}
# Recovery years: about 1,300 a year (the brief; DfE has no 2025 figure yet). Any later year
# the demo reaches continues at the same rate.
RECOVERY_REQUESTS_PER_YEAR = 1300
# The demo's records start in September 2018 so that plans are already being finalised in
# January 2019 (a service does not start from an empty pipeline); 2018 is never a target.
HISTORY_STARTS = date(2018, 9, 1)

# % of new plans issued within 20 weeks, excluding exceptions, per calendar year of the final
# plan (`pct_within_20_weeks_excl_exceptions`). 2019-2022: report 000 table 1; 2023-2024: DfE
# timeliness_20_week.csv, BCP, PC_plans_issued_20_weeks_ex.
PCT_WITHIN_20_WEEKS_EXCL_EXCEPTIONS: dict[int, float] = {
    2019: 91.3,
    2020: 21.9,
    2021: 31.2,
    2022: 7.3,
    2023: 4.8,
    2024: 77.6,
}

# Report 000 table 4: open requests at 31 July 2023 older than 20, 30 and 50 weeks.
BACKLOG_DATE = date(2023, 7, 31)
BACKLOG_OVER_20_WEEKS = 397
BACKLOG_OVER_30_WEEKS = 192
BACKLOG_OVER_50_WEEKS = 20

# Report 000 table 3: average weeks from request to final plan, by month of the final plan.
AVG_WEEKS_TO_ISSUE_BY_MONTH: dict[tuple[int, int], float] = {
    (2022, 7): 32.8,
    (2022, 8): 36.7,
    (2022, 9): 36.2,
    (2022, 10): 38.0,
    (2022, 11): 41.6,
    (2022, 12): 41.8,
    (2023, 1): 43.3,
    (2023, 2): 44.0,
    (2023, 3): 43.2,
    (2023, 4): 44.6,
    (2023, 5): 46.3,
    (2023, 6): 46.5,
    (2023, 7): 44.5,
}

# Report 000 table 2: % of plans within 20 weeks in single months (followed loosely: the
# months after November 2022 have no plan in time at all).
PCT_WITHIN_20_WEEKS_SNAPSHOTS: dict[tuple[int, int], float] = {
    (2022, 2): 16.0,
    (2022, 5): 3.1,
    (2022, 8): 5.6,
    (2022, 11): 0.0,
    (2023, 2): 0.0,
    (2023, 4): 0.0,
    (2023, 7): 0.0,
}

# EHC plans maintained at the January census (SEN2 reference date, the third Thursday of
# January): DfE caseload.csv, BCP, "All EHC plans", academic years 2019/20 to 2024/25.
PLANS_MAINTAINED_JANUARY: dict[int, int] = {
    2020: 2448,
    2021: 2627,
    2022: 3063,
    2023: 3266,
    2024: 3769,
    2025: 4432,
}

# Report 000 paragraph 13b: "Caseloads for case officers currently sit at 145" (plans
# maintained per case-officer FTE, September 2023). Report 004 table 2: ongoing assessments
# per caseworker 16-37 (DfE benchmark 25).
PLANS_PER_CASE_OFFICER_2023 = 145
ASSESSMENTS_PER_CASE_OFFICER_RANGE = (25.0, 37.0)

# DfE annual_reviews.csv, BCP 2024: 10.6% of review decisions notified within 4 weeks of the
# meeting (reg 20(10)).
REVIEW_DECISIONS_WITHIN_4_WEEKS_PCT: dict[int, float] = {2024: 10.6}
# The same row, counted as `ehcflow reviews` counts annual_reviews.csv
# (docs/domain/annual-reviews.md) for the calendar year at the next January census:
# total_ehc_plans 4,432 (the January 2025 caseload above) and total_review_meeting 3,281; the 10.6%
# above is number_decsion_4weeks ÷ the decisions after each plan's latest meeting (179 of 1,684).
REVIEW_MEETINGS_HELD: dict[int, int] = {2024: 3281}

# Report 000 paragraph 15 / table 6: the backlog project (4 FTE case officers, 0.5 FTE team
# manager, 2 FTE business support, 6 FTE locum EPs), from September 2023 for 6-9 months.
BACKLOG_PROJECT_STARTS = date(2023, 9, 4)
BACKLOG_PROJECT_ENDS = date(2024, 6, 28)
# Report 000 paragraph 13a: a permanent head of service from June 2022.
PERMANENT_HEAD_OF_SERVICE_FROM = date(2022, 6, 6)


def requests_for_year(year: int) -> int:
    """Initial requests received in a full calendar year of the demo (before scaling)."""
    if year in REQUESTS_RECEIVED:
        return REQUESTS_RECEIVED[year]
    if year > max(REQUESTS_RECEIVED):
        return RECOVERY_REQUESTS_PER_YEAR
    # September-December 2018 at 2019's rate: see HISTORY_STARTS.
    return REQUESTS_RECEIVED[2019]


def census_date(year: int) -> date:
    """The SEN2 January census day: the third Thursday of January."""
    first = date(year, 1, 1)
    first_thursday = 1 + (3 - first.weekday()) % 7
    return date(year, 1, first_thursday + 14)
