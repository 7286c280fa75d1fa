from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Patient articles"

    def ready(self) -> None:
        from . import pagecache
        from .models import Article, Block, ClinicDetails, Reference, Tag

        # Whatever public pages show: a change to any of it makes every cached page stale.
        for model in (Article, Tag, Block, Reference, ClinicDetails):
            post_save.connect(pagecache.content_changed, sender=model, dispatch_uid=f"page-{model}")
            post_delete.connect(
                pagecache.content_changed, sender=model, dispatch_uid=f"page-del-{model}"
            )
        m2m_changed.connect(
            pagecache.content_changed, sender=Article.tags.through, dispatch_uid="page-tags"
        )
