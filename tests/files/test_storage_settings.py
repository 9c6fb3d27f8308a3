"""Where files are kept: local disk under EHCFLOW_VAR_DIR by default, a bucket when asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def files_storage(env: dict[str, str], tmp_path: Path) -> dict[str, object]:
    script = ("import json, ehcflow.settings as s; "
              "print(json.dumps(s.STORAGES['files'], default=str))")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EHCFLOW_S3_")}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, check=True,
                          env={**clean, "EHCFLOW_VAR_DIR": str(tmp_path), **env})
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_files_are_kept_on_local_disk_outside_the_web_root_by_default(tmp_path: Path) -> None:
    storage = files_storage({}, tmp_path)
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    options = storage["OPTIONS"]
    assert isinstance(options, dict)
    assert options["location"] == str(tmp_path / "files")
    assert options["file_permissions_mode"] == 0o600


def test_an_s3_bucket_is_used_when_configured(tmp_path: Path) -> None:
    storage = files_storage({"EHCFLOW_S3_BUCKET": "council-ehc-files",
                             "EHCFLOW_S3_ENDPOINT_URL": "https://s3.example.internal"},
                            tmp_path)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert isinstance(options, dict)
    assert options["bucket_name"] == "council-ehc-files"
    assert options["endpoint_url"] == "https://s3.example.internal"
    assert options["default_acl"] == "private" and options["querystring_auth"] is True
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}
