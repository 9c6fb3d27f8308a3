"""Trim a DfE "Education, health and care plans" release to what ehcflow ships and loads.

    python -m ehcflow.insight.data.trim RAW_RELEASE_FOLDER OUT_FOLDER

Keeps, from each data file named in `ehcflow.insight.dfe.FILES`, only the headline rows (the
"all" breakdown of each geography and year) and only the geography/filter columns plus the
columns ehcflow uses, under DfE's own names and in DfE's order, so that `ehcflow national load`
reads the trimmed copy and the raw release by the same rules. Copies `data-guidance.txt` and
writes `trim-manifest.json` (source checksums, rows read and kept, columns kept). Output is
deterministic: trimming the same release twice gives identical files.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from ehcflow.insight import dfe


@dataclass(frozen=True)
class TrimmedFile:
    name: str
    source_sha256: str
    rows_read: int
    rows_kept: int
    columns: tuple[str, ...]


def trim_file(source: Path, target: Path, spec: dfe.FileSpec) -> TrimmedFile:
    """Write the headline rows and used columns of `source` to `target` (UTF-8, CRLF as DfE)."""
    header = dfe.read_header(source)
    columns, missing = dfe.resolve_columns(header, spec.required_columns)
    if missing:
        raise dfe.ReleaseError(dfe.header_problems(spec.name, header, spec))
    keep = sorted(columns.values())
    rows_read = rows_kept = 0
    with (
        source.open(encoding="utf-8-sig", newline="") as src,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.reader(src)
        writer = csv.writer(out, lineterminator="\r\n")
        next(reader)
        writer.writerow([header[i] for i in keep])
        for row in reader:
            if not row:
                continue
            rows_read += 1
            if dfe.is_headline(row, columns, spec):
                writer.writerow([row[i] for i in keep])
                rows_kept += 1
    return TrimmedFile(
        name=spec.name,
        source_sha256=dfe.sha256(source),
        rows_read=rows_read,
        rows_kept=rows_kept,
        columns=tuple(header[i] for i in keep),
    )


def trim_release(source: Path, target: Path) -> list[TrimmedFile]:
    """Trim every file of the release in `source` into `target` (created if need be)."""
    problems = dfe.check_release(source)
    if problems:
        raise dfe.ReleaseError(problems)
    target.mkdir(parents=True, exist_ok=True)
    trimmed = [trim_file(source / spec.name, target / spec.name, spec) for spec in dfe.FILES]
    guidance = source / dfe.GUIDANCE
    if guidance.is_file() and guidance.resolve() != (target / dfe.GUIDANCE).resolve():
        shutil.copyfile(guidance, target / dfe.GUIDANCE)
    manifest = {
        "source": source.name,
        "reporting_year": dfe.reporting_year_from_guidance(source),
        "rule": "rows whose breakdown_topic and breakdown are the file's headline label; "
        "the key columns plus the columns in ehcflow.insight.dfe.FILES",
        "files": [
            {
                "name": t.name,
                "source_sha256": t.source_sha256,
                "rows_read": t.rows_read,
                "rows_kept": t.rows_kept,
                "columns": list(t.columns),
            }
            for t in trimmed
        ],
    }
    (target / "trim-manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return trimmed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="a DfE release folder (the unzipped data/)")
    parser.add_argument("target", type=Path, help="where to write the trimmed copy")
    args = parser.parse_args(argv)
    try:
        trimmed = trim_release(args.source, args.target)
    except dfe.ReleaseError as error:
        print(error, file=sys.stderr)
        return 1
    for t in trimmed:
        print(f"{t.name}: kept {t.rows_kept} of {t.rows_read} rows, {len(t.columns)} columns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
