"""Enqueueing a task as part of the current transaction: the task exists if and only if the transaction commits.

With the database backend (the default) the task row is written inside the transaction, so a crash anywhere
leaves either the data and its task, or neither. The immediate backend (tests) runs the task right there,
inside the transaction, as the code around it would have. Any other backend (RQ on Redis) cannot join the
database transaction: the task is sent after the commit, and a process killed in between loses it, which the
periodic recovery sweep (jobs/recovery.py) makes good by enqueueing again what has waited too long.
"""
from django.db import transaction
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.backend import DatabaseBackend


def joins_transaction(task) -> bool:
    return isinstance(task.get_backend(), (DatabaseBackend, ImmediateBackend))


def enqueue_with_transaction(task, *args, **kwargs):
    """The task's result (already finished with the immediate backend), or None when it is sent after commit."""
    if joins_transaction(task):
        return task.enqueue(*args, **kwargs)
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)
    return None
