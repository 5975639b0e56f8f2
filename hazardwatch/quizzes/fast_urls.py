"""Mounted at api/v1/quizzes/ ahead of the Ninja API; anything not matched here falls through to it."""
from django.urls import path

from hazardwatch.quizzes import fast

urlpatterns = [
    path("attempts/<str:token>/answers", fast.answer),
    path("bench/echo", fast.echo),
]
