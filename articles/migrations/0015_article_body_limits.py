import articles.markdown
import articles.models.article
import markdownx.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0014_clinic_editor_feedback'),
    ]

    operations = [
        migrations.AlterField(
            model_name='article',
            name='body',
            field=markdownx.models.MarkdownxField(help_text='The article, written in markdown. The preview shows it exactly as patients will see it.', validators=[articles.markdown.validate_body, articles.models.article.validate_includes]),
        ),
    ]
