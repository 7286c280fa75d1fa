import articles.pictures
from django.core.files.images import get_image_dimensions
from django.db import migrations, models


def store_picture_sizes(apps, schema_editor):
    """The size of every stored picture that can still be read; a missing one stays empty."""
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.exclude(image="").only("image"):
        try:
            with article.image.open("rb") as handle:
                width, height = get_image_dimensions(handle)
        except OSError:
            continue
        if width and height:
            Article.objects.filter(pk=article.pk).update(image_width=width, image_height=height)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0015_article_body_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="image_height",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="article",
            name="image_width",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="article",
            name="image",
            field=articles.pictures.PictureField(
                blank=True,
                height_field="image_height",
                help_text="Optional. A PNG, JPEG, WebP or GIF picture of at most 5 MB.",
                upload_to="articles/",
                width_field="image_width",
            ),
        ),
        migrations.RunPython(store_picture_sizes, migrations.RunPython.noop),
    ]
