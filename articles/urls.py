from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("<slug:slug>/preview/", views.ArticlePreviewView.as_view(), name="preview"),
    path("<slug:slug>/feedback/", views.FeedbackView.as_view(), name="feedback"),
    path("<slug:slug>/feedback/comment/", views.FeedbackCommentView.as_view(), name="comment"),
]
