from django.apps import AppConfig
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_delete,
)


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Patient articles"

    def ready(self) -> None:
        from django.contrib import admin

        from . import pagecache, permissions, searchindex
        from .admin.lookups import own_filters_only
        from .models import Article, Block, ClinicDetails, Reference, Risk, Tag

        # Whatever public pages show: a change to any of it makes every cached page stale.
        for model in (Article, Tag, Block, Reference, Risk, ClinicDetails):
            post_save.connect(pagecache.content_changed, sender=model, dispatch_uid=f"page-{model}")
            post_delete.connect(
                pagecache.content_changed, sender=model, dispatch_uid=f"page-del-{model}"
            )
        m2m_changed.connect(
            pagecache.content_changed, sender=Article.tags.through, dispatch_uid="page-tags"
        )
        m2m_changed.connect(
            searchindex.index_tags, sender=Article.tags.through, dispatch_uid="search-tags"
        )
        post_save.connect(searchindex.tag_changed, sender=Tag, dispatch_uid="search-tag")
        pre_delete.connect(searchindex.tag_deleting, sender=Tag, dispatch_uid="search-tag-del")
        post_delete.connect(searchindex.tag_changed, sender=Tag, dispatch_uid="search-tag-gone")
        post_migrate.connect(searchindex.ensure_index, sender=self)
        # After the auth app has made the permissions (post_migrate runs per app, in order).
        post_migrate.connect(permissions.ensure_editor_group, sender=self)
        # Every app's admin is registered by now (the admin app, listed first, found them all).
        own_filters_only(admin.site)
