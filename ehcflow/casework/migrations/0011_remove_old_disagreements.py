"""Remove the old disagreements table once its rows are in the disagreements app.

`disagreements.0002` copies every row across and empties this table; this migration must run
after it, so it depends on it.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0010_reviews_and_transfers'),
        ('disagreements', '0002_copy_casework_disagreements'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Disagreement',
        ),
    ]
