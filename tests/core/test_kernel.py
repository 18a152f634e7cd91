"""svlib.core.kernel: the imports frozen once, and nothing made later kept for ever."""

from __future__ import annotations

import subprocess
import sys

FIRST_CELL_RUN_TWICE = """
import gc, weakref
from svlib.core.kernel import keep_loaded

keep_loaded()  # the first cell, once its imports are loaded
frozen = gc.get_freeze_count()

class Figure:  # a figure made since, with a reference cycle as matplotlib's have
    pass

figure = Figure()
figure.itself = figure
alive = weakref.ref(figure)
keep_loaded()  # the first cell run again in an open session
del figure
gc.collect()
print(frozen > 0, gc.get_freeze_count() == frozen, alive() is None)
"""


def test_the_imports_are_frozen_once_and_a_later_cycle_is_still_freed():
    # in a process of its own: freezing is for the whole process, as it is for a kernel
    shown = subprocess.run([sys.executable, "-c", FIRST_CELL_RUN_TWICE], capture_output=True, text=True,
                           check=True).stdout
    assert shown.split() == ["True", "True", "True"]
