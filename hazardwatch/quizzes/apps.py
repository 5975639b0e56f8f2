from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "hazardwatch.quizzes"
    label = "quizzes"
