"""Writing a subject access request's answer: everything held about one child, into a folder.

UK GDPR art. 15 gives the child (or a parent acting for them) a copy of their personal data
"in a commonly used electronic form" (art. 15(3)). The folder holds:

- `summary.html`: a readable copy, section by section, one self-contained page that opens
  in any browser and prints;
- `records.json`: the same records with every field, for another system;
- one CSV per section (`requests.csv`, `events.csv`, ...) for a spreadsheet.

Which of the contents must be withheld (third parties' data, serious-harm exemptions under
the Data Protection Act 2018 sch.3) is a caseworker's judgement made on this copy before it
is sent; nothing is redacted here.
"""

from __future__ import annotations

import csv
import html
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from ehcflow.casework.models import Child
from ehcflow.records.selectors import Section


def _text(value: Any) -> str:
    """A value as a person reads it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%-d %B %Y %H:%M UTC")
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)
    if isinstance(value, UUID | Decimal):
        return str(value)
    return str(value)


STYLE = """
body { font-family: Arial, sans-serif; margin: 2em; color: #0b0c0c; max-width: 80em; }
h1 { font-size: 1.8em; } h2 { font-size: 1.3em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; font-size: 0.85em; margin-bottom: 1em; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 0.4em; text-align: left;
         vertical-align: top; }
th { background: #f3f2f1; } p.note { color: #505a5f; }
"""


def write(child: Child, sections: list[Section], out: Path, *, gathered_by: str) -> list[Path]:
    """Write the folder's files; return them. `out` must exist and be empty."""
    written: list[Path] = []
    now = datetime.now(UTC)
    authority = str(getattr(settings, "EHCFLOW_AUTHORITY_NAME", ""))
    data = {
        "authority": authority,
        "person_ref": child.person_ref,
        "gathered_at": now,
        "gathered_by": gathered_by,
        "sections": {section.key: {"title": section.title, "records": section.rows}
                     for section in sections},
    }
    json_path = out / "records.json"
    json_path.write_text(json.dumps(data, cls=DjangoJSONEncoder, indent=1, ensure_ascii=False),
                         encoding="utf-8")
    written.append(json_path)
    for section in sections:
        csv_path = out / f"{section.key}.csv"
        with open(csv_path, "w", newline="", encoding="utf-8-sig") as stream:
            writer = csv.writer(stream)
            writer.writerow([label for _name, label in section.columns])
            for row in section.rows:
                writer.writerow([_csv_value(row[name]) for name, _label in section.columns])
        written.append(csv_path)
    html_path = out / "summary.html"
    html_path.write_text(_summary(child, sections, authority, now, gathered_by),
                         encoding="utf-8")
    written.append(html_path)
    for path in written:
        path.chmod(0o600)  # a child's records: readable by the person who gathered them only
    return written


def _csv_value(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    # Spreadsheet programs run cells that start like a formula; keep them as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _summary(child: Child, sections: list[Section], authority: str, now: datetime,
             gathered_by: str) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>Records held about {e(child.person_ref)}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Records held about a child or young person</h1>",
        f"<p>{e(authority)}: everything held in the education, health and care (EHC) "
        f"records about the child or young person with reference {e(child.person_ref)}, "
        f"gathered on {e(_text(now))} by {e(gathered_by)}.</p>",
        '<p class="note">This is a copy for a subject access request (UK GDPR article 15). '
        "Check it for other people's information before it is sent.</p>",
        "<h2>Contents</h2><ul>",
    ]
    for section in sections:
        count = len(section.rows)
        parts.append(f'<li><a href="#{e(section.key)}">{e(section.title)}</a> '
                     f"({count} record{'s' if count != 1 else ''})</li>")
    parts.append("</ul>")
    for section in sections:
        parts.append(f'<h2 id="{e(section.key)}">{e(section.title)}</h2>')
        if not section.rows:
            parts.append("<p>None held.</p>")
            continue
        if len(section.rows) == 1:
            # One record reads best as a list of its fields.
            parts.append("<table><tbody>")
            for name, title in section.columns:
                parts.append(f"<tr><th scope=\"row\">{e(title)}</th>"
                             f"<td>{e(_text(section.rows[0][name]))}</td></tr>")
            parts.append("</tbody></table>")
            continue
        parts.append("<table><thead><tr>")
        parts.extend(f'<th scope="col">{e(title)}</th>' for _name, title in section.columns)
        parts.append("</tr></thead><tbody>")
        for row in section.rows:
            parts.append("<tr>" + "".join(f"<td>{e(_text(row[name]))}</td>"
                                          for name, _title in section.columns) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)
