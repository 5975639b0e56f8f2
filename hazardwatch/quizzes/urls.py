from django.urls import path

from hazardwatch.quizzes import views

app_name = "quizzes"
urlpatterns = [
    path("quiz/", views.quiz_home, name="home"),
    path("quiz/profile/", views.profile_save, name="profile"),
    path("quiz/start/", views.daily_start, name="daily_start"),
    path("quiz/contests/<int:contest_id>/start/", views.contest_start, name="contest_start"),
    path("quiz/a/<str:token>/", views.attempt_page, name="attempt"),
    path("quiz/a/<str:token>/answer/", views.attempt_answer, name="answer"),
    path("quiz/leaderboard/", views.leaderboard_page, name="leaderboard"),
    path("staff/quizzes/", views.staff_index, name="staff"),
    path("staff/quizzes/results.<str:fmt>", views.staff_export, name="staff_export"),
]
