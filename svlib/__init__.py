"""svlib: the social value research workbench.

Social Return On Investment (SROI) for voluntary, community and social enterprise
(VCSE) partners, in the language of the County Durham Pound themes and the National
TOMs, with open proxies, honest uncertainty and reproducible reports.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("svlib")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
