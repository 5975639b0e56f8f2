"""The project's WSGI application, warmed before gunicorn forks its workers (`--preload`).

Only for the crash tests: a cold worker spends seconds importing views and building the criteria matcher on its
first request, and the tests restart the server many times. The application object is the production one.
"""
from django.db import connections
from django.urls import get_resolver

from config.wsgi import application

get_resolver().url_patterns  # import every view
from hazardwatch.criteria.services import matcher_for_day  # noqa: E402

matcher_for_day().match("配电箱电线老化裸露", place_type=None, category_sector=None)
connections.close_all()  # no connection may cross the fork

__all__ = ["application"]
