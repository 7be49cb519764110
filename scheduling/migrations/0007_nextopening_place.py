from django.db import migrations, models

# The next openings already stored get their clinic's place in one statement: the same SQL on SQLite and
# PostgreSQL, and no row goes through Python. Without it every stored row would sit at (0, 0) until the worker
# recomputed its clinic, and the soonest walk would pass them all over.
PLACE_FILL = """
UPDATE scheduling_nextopentime
SET latitude = (SELECT c.latitude FROM clinics_clinic c WHERE c.id = scheduling_nextopentime.clinic_id),
    longitude = (SELECT c.longitude FROM clinics_clinic c WHERE c.id = scheduling_nextopentime.clinic_id)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0007_clinic_box_idx_id"),
        ("scheduling", "0006_openday"),
    ]

    operations = [
        migrations.AddField(
            model_name="nextopentime", name="latitude", field=models.FloatField(default=0.0), preserve_default=False
        ),
        migrations.AddField(
            model_name="nextopentime", name="longitude", field=models.FloatField(default=0.0), preserve_default=False
        ),
        migrations.RunSQL(PLACE_FILL, migrations.RunSQL.noop, elidable=True),
        migrations.RemoveIndex(model_name="nextopentime", name="nextopening_discipline_start"),
        migrations.AddIndex(
            model_name="nextopentime",
            index=models.Index(
                fields=["discipline", "start", "bookable_until", "clinic", "latitude", "longitude"],
                name="nextopening_discipline_start",
            ),
        ),
        migrations.RemoveIndex(model_name="nextopentime", name="nextopening_start"),
        migrations.AddIndex(
            model_name="nextopentime",
            index=models.Index(
                fields=["start", "bookable_until", "clinic", "latitude", "longitude"], name="nextopening_start"
            ),
        ),
    ]
