"""Reading and filling GOV.UK pages the way a person does: by labels, legends and captions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ehcflow.people.models import StaffMember, Team, User

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "correct horse battery staple"
# WCAG 2.2 AA means the A and AA rules of every version up to 2.2 (axe has no 2.2 A rules).
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

TIMELINE_CAPTION = "Each statutory deadline and whether it was met"


def short(d: date) -> str:
    """A date as the pages print it in tables (Django's "j M Y")."""
    return f"{d.day} {d:%b} {d.year}"


def long(d: date) -> str:
    """A date as the pages print it in sentences (Django's "j F Y")."""
    return f"{d.day} {d:%B} {d.year}"


def fill_date(page: Page, legend: str, when: date) -> None:
    """Type a date into the GOV.UK date input whose fieldset has this legend."""
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(when.day))
    group.get_by_label("Month").fill(str(when.month))
    group.get_by_label("Year").fill(str(when.year))


def save(page: Page) -> None:
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()


def open_step(page: Page, title: str) -> None:
    """Follow a link under "Next steps" on the request page."""
    page.get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", level=1, name=title).wait_for()


@dataclass(frozen=True)
class TimelineRow:
    step: str
    due: str
    done: str
    status: str


def timeline(page: Page) -> dict[str, TimelineRow]:
    """The statutory timeline table, keyed by step (the row header's first line)."""
    table = page.get_by_role("table", name=TIMELINE_CAPTION)
    rows: dict[str, TimelineRow] = {}
    for row in table.locator("tbody tr").all():
        step = row.locator("th").inner_text().splitlines()[0].strip()
        cells = [c.inner_text().strip() for c in row.locator("td").all()]
        rows[step] = TimelineRow(step, cells[0].splitlines()[0], cells[1], cells[2])
    return rows


def events(page: Page) -> list[str]:
    """The titles in the "What happened" timeline, newest first."""
    return [t.strip() for t in page.locator(".moj-timeline__title").all_inner_texts()]


def stage(page: Page) -> str:
    """The stage tag beside the request's heading."""
    return page.locator("main h1 + p .govuk-tag").first.inner_text().strip()


def banner(page: Page) -> str:
    return page.locator(".govuk-notification-banner__heading").inner_text().strip()


def summary_value(page: Page, key: str) -> str:
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=key))
    return row.locator("dd").inner_text().strip()


def table_rows(page: Page, caption: str) -> list[list[str]]:
    """A table's body as text, cell by cell (header cells included), whitespace collapsed."""
    table = page.get_by_role("table", name=caption)
    return [[" ".join(c.inner_text().split()) for c in row.locator("th, td").all()]
            for row in table.locator("tbody tr").all()]


def menu(page: Page, item: str) -> None:
    """Follow a link in the service navigation."""
    link = page.get_by_role("navigation", name="Menu").get_by_role("link", name=item)
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**{href}")


def make_staff(username: str, name: str, role: str, team: Team | None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD,
                                    first_name=name.split()[0], last_name=name.split()[-1])
    StaffMember.objects.create(user=user, staff_ref=username.upper(), name=name, role=role,
                               team=team, start_date=date(2020, 1, 6))
    return user


# Internal references a page must never show: the project's source documents, commands,
# file names and the access log's raw step codes.
JARGON = (r"report 00\d", r"measures\.md", r"planner-model\.md", r"ehcflow kpis",
          r"ehcflow \w+ --", r"\bstep:[a-z-]+", r"\.toml\b(?! file)", r"\btable \d\b")


@dataclass
class Axe:
    """Runs axe-core on the page in view and keeps every violation, by page, for one report."""

    checked: list[str] = field(default_factory=list)
    violations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def check(self, page: Page, name: str) -> None:
        # Only violations come back: passes and inapplicable rules are most of axe's report.
        violations = page.evaluate(
            """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                         resultTypes: ['violations']})
                       .then(result => result.violations)""", WCAG_22_AA)
        self.checked.append(name)
        if violations:
            self.violations[f"{name} ({page.url})"] = violations
        self.jargon(page, name)

    def jargon(self, page: Page, name: str) -> None:
        """What users read is plain English: no internal references, commands or codes."""
        text = page.inner_text("body")
        found = [word for word in JARGON if re.search(word, text, re.IGNORECASE)]
        if found:
            self.violations[f"{name} ({page.url})"] = [{
                "impact": "words", "id": "jargon", "help": f"internal words on a page: {found}",
                "helpUrl": "https://www.gov.uk/guidance/content-design/writing-for-gov-uk",
                "nodes": []}]

    def report(self) -> str:
        lines = []
        for where, found in self.violations.items():
            lines.append(f"\n{where}:")
            for v in found:
                lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
                for node in v["nodes"][:5]:
                    lines.append(f"      at {' '.join(map(str, node['target']))}")
                    summary = (node.get("failureSummary") or "").replace("\n", "\n         ")
                    lines.append(f"         {summary}")
                if len(v["nodes"]) > 5:
                    lines.append(f"      … and {len(v['nodes']) - 5} more")
        return "\n".join(lines)

    def assert_clean(self) -> None:
        assert not self.violations, (
            f"axe found WCAG 2.2 AA violations on {len(self.violations)} of "
            f"{len(self.checked)} pages:{self.report()}")


def sign_in(page: Page, user: User, axe: Axe | None = None) -> None:
    """Sign in through the sign-in page as a person would."""
    page.goto("/sign-in/")
    if axe is not None:
        axe.check(page, "sign-in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
