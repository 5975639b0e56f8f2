"""Staff pages for webhook subscriptions and their delivery log (see docs/webhooks.md)."""
app_name = "webhooks"
urlpatterns: list = []
