"""The word lists kept in content/ beside the articles (plain words for the writing checks,
patient words for search): each read again whenever its file changes, and a missing or broken
file named with what is wrong, so that what uses it works on without it."""

import functools
from collections.abc import Callable
from pathlib import Path

import yaml
from django.conf import settings


def read(path: Path, build: Callable[[str, object, str], object]):
    """What ``build`` makes of the file's YAML as the file now reads: ``build(shown, data,
    problem)``, with the file as staff know it, and ``data`` None and ``problem`` saying why
    when the file is missing or cannot be read. Made again only when the file changes."""
    try:
        stat = path.stat()
    except OSError:
        return _read(str(path), None, None, build)
    return _read(str(path), stat.st_mtime_ns, stat.st_size, build)


@functools.lru_cache(maxsize=8)
def _read(path: str, modified: int | None, size: int | None, build: Callable):
    name = shown(Path(path))
    if modified is None:
        return build(name, None, f"{name} is missing")
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        return build(name, None, f"{name} could not be read ({error})")
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" on line {where.line + 1}" if where else ""
        return build(name, None, f"{name} is not written as the list should be{line}")
    return build(name, data, "")


def shown(path: Path) -> str:
    """The file as staff know it: its place in the project, where it is in the project."""
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)
