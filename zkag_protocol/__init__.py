"""zkag: verifiable fine-tuning. The protocol library and the ``zkag`` command line."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zkag")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
