# The per-clinic index of next openings covers bookable_until: "has a time before ..." reads no table rows.
# Added before the old one is dropped, so lookups by clinic always have an index.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_rename_open_time_models"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="nextopentime",
            index=models.Index(
                fields=["clinic", "discipline", "start", "bookable_until"], name="nextopening_clinic_disc_until"
            ),
        ),
        migrations.RemoveIndex(model_name="nextopentime", name="nextopening_clinic_disc_start"),
    ]
