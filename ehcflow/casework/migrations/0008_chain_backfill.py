"""Link the rows written before the hash chain, in the order they were written (by id).

Uses `ehcflow.audit.chain`'s encoding, which never changes (every stored hash depends on it).
The access log's rows get the public ids they lacked.
"""

import uuid

from django.db import migrations

from ehcflow.audit.chain import FIELDS, GENESIS, digest, primitive

LOGS = (("case_event", "CaseEvent"), ("record_access", "RecordAccess"))
CHUNK = 5000


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    ChainHead = apps.get_model("audit", "ChainHead")
    for log, name in LOGS:
        model = apps.get_model("casework", name)
        public_id = model._meta.get_field("public_id")
        needs_id = log == "record_access"
        seq, prev = 0, GENESIS
        fields = FIELDS[log]
        table = quote(model._meta.db_table)
        sets = "seq = %s, chain_hash = %s" + (", public_id = %s" if needs_id else "")
        sql = f"UPDATE {table} SET {sets} WHERE id = %s"
        last = 0
        while True:  # a page at a time by id: no read cursor stays open across the UPDATEs
            page = list(model._base_manager.filter(id__gt=last).order_by("id")
                        .values_list("id", *fields)[:CHUNK])
            if not page:
                break
            updates = []
            for pk, *values in page:
                if needs_id:
                    values[0] = uuid.uuid4()
                seq += 1
                prev = digest(prev, log, seq, [primitive(v) for v in values])
                extra = [public_id.get_db_prep_save(values[0], connection)] if needs_id else []
                updates.append([seq, prev, *extra, pk])
            with connection.cursor() as cursor:
                cursor.executemany(sql, updates)
            last = page[-1][0]
        ChainHead.objects.update_or_create(log=log, defaults={"seq": seq, "hash": prev})


class Migration(migrations.Migration):
    dependencies = [("casework", "0007_chain_fields")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
