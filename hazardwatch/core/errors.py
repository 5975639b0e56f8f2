"""Errors raised by services; the API and views render them as 4xx with {"message", "extra"}."""


class ApplicationError(Exception):
    """A request that cannot be carried out, with a message for the person who made it."""

    status_code = 400

    def __init__(self, message, extra: dict | None = None, status_code: int | None = None):
        super().__init__(str(message))
        self.message = message
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


class NotFound(ApplicationError):
    status_code = 404


class PermissionDenied(ApplicationError):
    status_code = 403


class Conflict(ApplicationError):
    status_code = 409


class RateLimited(ApplicationError):
    status_code = 429
