"""One of several processes writing case events and access-log rows at the same time.

Run by test_concurrency.py as `python -m tests.audit.concurrent_writer WORKER COUNT` with
DATABASE_URL set to a database of the test's own.
"""

from __future__ import annotations

import os
import sys
from datetime import date


def main(worker: int, count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ehcflow.settings")
    import django

    django.setup()
    from ehcflow.casework import services
    from ehcflow.casework.models import RecordAccess
    from ehcflow.people.models import User

    user, _ = User.objects.get_or_create(username=f"writer-{worker}")
    actor = services.Actor(name=f"writer {worker}")
    for n in range(count):
        child = services.child_create(person_ref=f"W{worker}-{n}", date_of_birth=date(2015, 1, 1),
                                      forename="Test", surname="Writer", by=actor)
        RecordAccess.objects.create(user=user, kind=RecordAccess.Kind.VIEW, page="child",
                                    child=child)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
