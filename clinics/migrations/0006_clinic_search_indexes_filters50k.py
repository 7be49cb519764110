# The index "by score" near a point walks in score order, one latitude range per score; the box index
# carries the clinic's zone (what "available today" reads), added before the old one is dropped.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0005_merge_probation_free_consultation"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="clinic",
            index=models.Index(
                fields=["inspection_score", "latitude", "longitude", "network_status", "unit_x", "unit_y", "unit_z"],
                name="clinic_score_box_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="clinic",
            index=models.Index(
                fields=["latitude", "longitude", "network_status", "unit_x", "unit_y", "unit_z", "time_zone"],
                name="clinic_box_zone_idx",
            ),
        ),
        migrations.RemoveIndex(model_name="clinic", name="clinic_box_idx"),
    ]
