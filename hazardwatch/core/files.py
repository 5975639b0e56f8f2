"""File helpers shared by intake and evidence."""


def delete_quietly(files) -> None:
    """Remove stored files after a failed transaction, so a refused submission leaves nothing behind."""
    for f in files:
        try:
            f.storage.delete(f.name)
        except OSError:
            pass
