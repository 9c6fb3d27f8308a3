"""Template helpers for the account pages."""

from __future__ import annotations

from django import template

register = template.Library()


LABELS = {"name": "Name", "username": "Username", "email": "Email address", "role": "Role",
          "team": "Team", "fte": "FTE", "start_date": "Start date", "end_date": "End date",
          "entra_object_id": "Microsoft Entra object ID", "active": "Can sign in"}


@register.filter
def change_lines(changes: dict[str, list[str]]) -> list[str]:
    """'Role: Case officer to Team manager' lines, in plain English."""
    from ehcflow.people.models import Role

    lines = []
    for key, (before, after) in changes.items():
        if key == "role":
            before = Role(before).label if before in Role.values else before
            after = Role(after).label if after in Role.values else after
        label = LABELS.get(key, key.replace("_", " ").capitalize())
        if before and after:
            lines.append(f"{label}: {before} to {after}")
        elif after:
            lines.append(f"{label}: {after}")
        else:
            lines.append(f"{label}: {before} removed")
    return lines
