from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.generic import TemplateView

from articles import editor, views
from articles.feeds import LatestArticlesFeed
from articles.permissions import article_editor_only
from articles.sitemaps import SITEMAPS

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", include("articles.urls")),
    path("search/", views.SearchView.as_view(), name="search"),
    path("subscribe/", views.SubscribeView.as_view(), name="subscribe"),
    path("subscribe/check/", views.SubscribeCheckView.as_view(), name="subscribe-check"),
    path(
        "subscribe/sent/",
        views.SentView.as_view(),
        name="subscribe-sent",
    ),
    path("subscribe/confirm/<str:token>/", views.ConfirmView.as_view(), name="subscribe-confirm"),
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", TemplateView.as_view(template_name="privacy.html"), name="privacy"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
    # django-markdownx's editor endpoints answer staff only (its defaults accept anyone).
    path(
        "markdownx/markdownify/",
        article_editor_only(editor.PreviewView.as_view()),
        name="markdownx_markdownify",
    ),
    path("markdownx/upload/", views.upload_image, name="markdownx_upload"),
    # The editor's preview frame, live writing checks and what its Insert menus offer.
    path("editor/frame/", editor.frame, name="editor-frame"),
    path("editor/checks/", editor.checks, name="editor-checks"),
    path("editor/choices/", editor.choices, name="editor-choices"),
    path("admin/", admin.site.urls),
    # Pictures from the editor and from content/, both checked with Pillow.
    path("media/<path:path>", views.media, name="media"),
]

admin.site.site_header = "Clinic articles"
admin.site.site_title = "Clinic articles admin"
admin.site.index_title = "Articles and subscribers"
admin.site.index_template = "admin/clinic_index.html"
