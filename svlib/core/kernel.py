"""What a notebook's kernel does once its imports are loaded.

A report notebook imports pandas, matplotlib and svlib (hundreds of thousands of objects)
and then runs for a few seconds. Those objects live as long as the kernel, yet every full
garbage collection walks all of them again: about a fifth of a second of a partner
report. :func:`keep_loaded` moves them out of the collector's rounds (CPython's
``gc.freeze``), as long-running Python services do after start-up.
"""

from __future__ import annotations

import gc


def keep_loaded() -> None:
    """Collect the garbage there is, then freeze every object still alive (``gc.freeze``).

    Only the first call in a process does anything: a notebook's first cell run again in
    an open session would otherwise freeze the figures and tables made since, whose
    reference cycles could then never be freed. Objects made after the freeze are
    collected as usual.
    """
    if gc.get_freeze_count():
        return
    gc.collect()
    gc.freeze()
