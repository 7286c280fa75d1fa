import sys
from collections.abc import Callable


def terminal_progress(noun: str) -> Callable[[int, int], None] | None:
    """A one-line progress display, shown only when a person is watching a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done == total else ""
        sys.stderr.write(f"\r{noun} {done}/{total}{end}")
        sys.stderr.flush()

    return show
