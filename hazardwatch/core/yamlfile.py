"""Reading YAML data files (criteria editions, checklist templates) with errors that name file and line.

`read_yaml` returns the node tree (for line numbers) and the plain data; `NodeContext.fail` raises the
caller's error class with the line of a node. Nothing here knows what the files mean.
"""
from dataclasses import dataclass
from pathlib import Path

import yaml


class DataFileError(ValueError):
    """A data file problem at `path:line`."""

    def __init__(self, path, line, message):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line}: {message}")


@dataclass
class NodeContext:
    path: Path
    error: type = DataFileError

    def fail(self, node, message):
        line = node.start_mark.line + 1 if node is not None else 1
        raise self.error(self.path, line, message)


def yaml_mapping(node) -> dict:
    """Keys → (key node, value node) of a YAML mapping node ({} for anything else)."""
    return {k.value: (k, v) for k, v in node.value} if isinstance(node, yaml.MappingNode) else {}


def read_yaml(path: Path, error: type = DataFileError):
    """(root node, data) of a UTF-8 YAML file; `error(path, line, message)` when it cannot be read or parsed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        return yaml.compose(text), yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise error(path, (mark.line + 1) if mark else 1, f"invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise error(path, 1, f"invalid YAML: {exc}") from None
    except RecursionError:  # thousands of nested brackets: a message, not a traceback
        raise error(path, 1, "invalid YAML: nested too deeply") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(path, 1, f"cannot read: {exc}") from None
