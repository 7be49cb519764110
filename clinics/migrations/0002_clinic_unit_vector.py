# Unit-vector columns for an arithmetic-only radius search, and the indexes the search reads from alone.

import django.db.models.functions.math
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="clinic",
            name="unit_x",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.math.Cos(django.db.models.functions.math.Radians("latitude"))
                * django.db.models.functions.math.Cos(django.db.models.functions.math.Radians("longitude")),
                output_field=models.FloatField(),
            ),
        ),
        migrations.AddField(
            model_name="clinic",
            name="unit_y",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.math.Cos(django.db.models.functions.math.Radians("latitude"))
                * django.db.models.functions.math.Sin(django.db.models.functions.math.Radians("longitude")),
                output_field=models.FloatField(),
            ),
        ),
        migrations.AddField(
            model_name="clinic",
            name="unit_z",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.math.Sin(django.db.models.functions.math.Radians("latitude")),
                output_field=models.FloatField(),
            ),
        ),
        migrations.RemoveIndex(model_name="clinic", name="clinic_lat_lng_idx"),
        migrations.AddIndex(
            model_name="clinic",
            index=models.Index(
                fields=["latitude", "longitude", "network_status", "unit_x", "unit_y", "unit_z"],
                name="clinic_box_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="practitioner",
            index=models.Index(fields=["clinic", "discipline", "is_active"], name="practitioner_clinic_disc"),
        ),
    ]
