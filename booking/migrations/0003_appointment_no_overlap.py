"""No two appointments that are not cancelled overlap for one practitioner: PostgreSQL enforces it.

SQLite has no exclusion constraints; there the check and the insert run inside one
BEGIN IMMEDIATE transaction instead (see booking/LOCKING.md).
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE booking_appointment ADD CONSTRAINT appointment_no_overlap
    EXCLUDE USING gist (practitioner_id WITH =, tstzrange("start", "end", '[)') WITH &&)
    WHERE (status <> 'cancelled');
"""
DROP = "ALTER TABLE booking_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("booking", "0002_patient_details_policy_events_idempotency")]

    operations = [migrations.RunPython(create, drop)]
