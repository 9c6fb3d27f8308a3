"""The record of every SEN2 file made or read: who, which collection, when (decision 0016).

A SEN2 return holds every reported child's name, date of birth, UPN and postcode, so each
export is kept here for good, alongside an "exported" row in the access log. Append-only: the
model refuses updates and deletes. It holds counts and a checksum of the file, never its
contents or anyone's name but the member of staff's account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReturnFile(models.Model):
    """One SEN2 file written (by the command or downloaded from the page) or imported."""

    class Action(models.TextChoices):
        EXPORT = "export", "Exported to a file"
        DOWNLOAD = "download", "Downloaded from the page"
        IMPORT = "import", "Imported from a file"

    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    collection_year = models.PositiveSmallIntegerField()
    census_day = models.DateField()
    persons = models.PositiveIntegerField()
    requests = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"SEN2 {self.collection_year} {self.action} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("The record of SEN2 files is append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("The record of SEN2 files is append-only.")
