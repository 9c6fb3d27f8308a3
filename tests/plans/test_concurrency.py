"""Two officers saving the same plan at the same moment, on real connections (PostgreSQL).

The page-level refusal of a stale form is in test_pages.py; this proves the row lock makes
the check hold when both saves arrive together: one is saved, the other refused, and the
saved text is whole.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.db import connection, connections, transaction

from ehcflow.plans import content as pc
from ehcflow.plans import services
from ehcflow.plans.models import PlanVersion
from ehcflow.plans.services import PlanError
from tests.plans.conftest import PlanWorld

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks need PostgreSQL; SQLite serialises writers anyway"),
]


# The append-only logs (database triggers refuse TRUNCATE while they hold rows), as in
# tests/browser/conftest.py, which empties them the same way after a committed test.
APPEND_ONLY_TABLES = ("casework_caseevent", "casework_recordaccess", "audit_disposal",
                      "records_disposalrecord", "people_accountchange")


@pytest.fixture(autouse=True)
def _append_only_rows_erased(transactional_db: None) -> Iterator[None]:
    """Let the database be flushed after this committed test (PostgreSQL only here)."""
    yield
    with transaction.atomic(), connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        for table in (t for t in APPEND_ONLY_TABLES if t in present):
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            cursor.execute(f'DELETE FROM "{table}"')
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


def test_simultaneous_saves_one_wins_one_is_refused(ready: PlanWorld) -> None:
    version = PlanVersion.objects.get(document__request=ready.case)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(who: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.need_save(version=version, expected_revision=1, by=ready.actor(who),
                               key=None, section="B", text=f"Need from {who}")
            outcomes[who] = "saved"
        except PlanError as error:
            outcomes[who] = error.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(who,)) for who in ("officer", "teammate")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values())[1] == "saved"
    refused = sorted(outcomes.values())[0]
    assert refused.startswith("Someone else changed this plan while you were working on it.")
    winner = next(who for who, result in outcomes.items() if result == "saved")
    version.refresh_from_db()
    assert version.revision == 2
    assert [n.text for n in pc.from_dict(version.body).needs] == [f"Need from {winner}"]
