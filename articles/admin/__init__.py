"""The staff admin, one module per part of the clinic's work: articles, the text they share,
the clinic's details, readers' feedback, and subscribers."""

from . import articles, clinic, feedback, included, subscribers  # noqa: F401 (each registers)
