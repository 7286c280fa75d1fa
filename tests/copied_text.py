"""Runs of eight words, to find text copied from the clinic's old marketing pages.

The pages themselves stay out of the repository: ``tests/marketing_runs.txt`` holds only a
hash of each run of eight words in them, and test_shipped_content.py checks that no run of
eight words in a shipped article or block has one of those hashes. A run is eight words in a
row, lower-cased, with punctuation taken out (an apostrophe joins its word: "what's" is
"whats"; other marks part words: "sore/tight" is "sore tight"), joined by single spaces; its
hash is the first 16 hex characters of its SHA-256.

To make the file again (from the repository's root, with the pages beside it in
../shared/seeds/):

    python tests/copied_text.py ../shared/seeds/*.txt > tests/marketing_runs.txt
"""

import hashlib
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

RUN_WORDS = 8
HASHES_FILE = Path(__file__).with_name("marketing_runs.txt")
APOSTROPHES = re.compile(r"['’‘ʼ]")
WORD = re.compile(r"[^\W_]+")
HEADER = f"""\
# The first 16 hex characters of the SHA-256 of every run of {RUN_WORDS} words in the clinic's
# old marketing pages (kept outside the repository), one a line, sorted. Made, and made again,
# by tests/copied_text.py, which says how; read by tests/test_shipped_content.py.
"""


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    return WORD.findall(APOSTROPHES.sub("", text))


def runs(text: str) -> Iterator[str]:
    """Every run of ``RUN_WORDS`` words in a row, as one string."""
    found = words(text)
    for start in range(len(found) - RUN_WORDS + 1):
        yield " ".join(found[start : start + RUN_WORDS])


def run_hash(run: str) -> str:
    return hashlib.sha256(run.encode("utf-8")).hexdigest()[:16]


def hashes_file_text(texts: Iterable[str]) -> str:
    hashes = sorted({run_hash(run) for text in texts for run in runs(text)})
    return HEADER + "".join(f"{value}\n" for value in hashes)


def known_hashes(path: Path = HASHES_FILE) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def copied_runs(text: str, hashes: set[str]) -> list[str]:
    """The runs of ``text`` whose hash is in ``hashes``, in order, each once."""
    return list(dict.fromkeys(run for run in runs(text) if run_hash(run) in hashes))


def main(paths: list[str]) -> None:
    if not paths:
        sys.exit(f"Name the marketing pages: python {sys.argv[0]} ../shared/seeds/*.txt")
    texts = [Path(path).read_text(encoding="utf-8") for path in paths]
    sys.stdout.write(hashes_file_text(texts))


if __name__ == "__main__":
    main(sys.argv[1:])
