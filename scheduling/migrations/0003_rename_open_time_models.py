from django.db import migrations


class Migration(migrations.Migration):
    """One name per idea: a posted opening is a ``PostedOpening``; a precomputed one is a ``NextOpenTime``."""

    dependencies = [("scheduling", "0002_date_bounds")]

    operations = [
        migrations.RenameModel("Opening", "PostedOpening"),
        migrations.RenameModel("NextOpening", "NextOpenTime"),
        migrations.AlterModelOptions(
            name="nextopentime",
            options={"verbose_name": "next open time", "verbose_name_plural": "next open times"},
        ),
    ]
