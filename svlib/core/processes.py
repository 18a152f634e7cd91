"""Worker processes that end with the svlib process that started them.

A reader or report worker whose parent is killed (closing the terminal, ``kill -9``, a
power cut of the parent alone) would otherwise wait for work for ever, holding memory
and, through the kernels it started, CPU. Each pool's workers run
:func:`end_with_parent` when they start.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def end_with_parent() -> None:
    """Ask the system to stop this process when its parent ends (Linux
    ``prctl(PR_SET_PDEATHSIG, SIGKILL)``); elsewhere, nothing. A parent that has already
    gone by the time this runs stops the process at once."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - a C library without prctl
        return
    if os.getppid() != parent:  # the parent ended before the request was made
        os.kill(os.getpid(), signal.SIGKILL)
