"""Partner text as a figure label: shown exactly as written, whatever it contains."""


def as_text(label: object) -> str:
    """A label from partner data as matplotlib shows it: exactly as written. A pair of
    ``$`` would otherwise start matplotlib's mathematical notation, which fails on an
    unknown command (an outcome id such as ``$\\undefined{x}$`` stopped a report) and
    renders the rest as a formula; each ``$`` is escaped so it shows as itself."""
    return str(label).replace("$", r"\$")
