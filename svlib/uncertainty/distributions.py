"""The uncertainty in one impact-map parameter: a distribution, its mean, and fast sampling.

Shapes (``kind``), each on a range ``[low, high]`` around a central value ``mode``:

* ``fixed``: always ``mode`` (no range given, or ``low == high``);
* ``uniform``: every value in the range equally likely;
* ``triangular``: density rising linearly from ``low`` to ``mode`` and falling to ``high``;
* ``pert``: beta-PERT with ``lambda = 4`` (the default when a range has no shape);
* ``beta``: a beta distribution on ``[low, high]`` matched to a stated mean and standard
  deviation (method of moments), used for the estimate of a survey mean.

Notes
-----
Beta-PERT (Vose 2008, section 9.1.3; Malcolm et al. 1959) is a scaled beta distribution::

    alpha = 1 + lambda (mode − low) / (high − low)
    beta  = 1 + lambda (high − mode) / (high − low)        lambda = 4
    mean  = (low + lambda × mode + high) / (lambda + 2)

Method-of-moments beta on ``[low, high]`` with mean ``m`` and standard deviation ``s``
(standardised ``μ = (m − low)/w``, ``σ = s/w``, ``w = high − low``)::

    ν = μ (1 − μ) / σ² − 1 ,   alpha = μ ν ,   beta = (1 − μ) ν      (needs σ² < μ (1 − μ))

Sampling is by inversion onto a fine grid. Each distribution is represented by
``DRAW_CELLS`` (4,096) equally likely values, one per cell of probability 1/4,096, and a
uniform ``u`` draws the value of cell ``floor(u × 4096)``, so a draw depends only on its
own uniform number: the same uniforms give the same draws whatever the chunk size or
number of processes (see :mod:`svlib.uncertainty.montecarlo`), and drawing is one table look-up.
The value of cell ``k`` is the continuous inverse below at the cell's midpoint
probability ``(k + 1/2)/4096``:

* uniform and triangular: their closed-form quantile functions (for uniform the cell
  midpoint is the cell's exact conditional mean);
* PERT and beta, whose quantile function has no closed form (``scipy.special.betaincinv``
  costs about 2 µs per value): an inverse tabulated once per shape in ``TABLE_CELLS``
  (512) equal-probability cells (Hörmann, Leydold & Derflinger 2004, ch. 2.1 and 7),
  where a uniform in cell ``j`` maps linearly onto a segment inside
  ``[Q(j/512), Q((j+1)/512)]`` whose midpoint is the cell's exact conditional mean.

Consequences, checked in ``tests/uncertainty/test_distributions.py``:

* every draw lies inside the exact quantile range of its tabulated cell,
  ``[Q(j/512), Q((j+1)/512)]`` (to within 1e-5 of the range, the quadrature's accuracy),
  and between the 1st and 99th percentiles within 3e-4 of the range of the exact
  quantile at its cell's midpoint, ``Q((k + 1/2)/4096)``;
* the mean of the sampled distribution equals the exact mean (to ~3e-7 of the range for
  PERT and beta; exactly for uniform);
* the variance is within about 1e-4 (relative) of the exact variance (for uniform the
  grid loses exactly the fraction 1/4096² of it; for PERT and beta the loss, 1e-5 to
  1e-4, comes from the 512-cell table).

For PERT the 512-cell table comes from quadrature of the density on a grid graded
towards both ends (``x = sin²(π s / 2)``, ``QUADRATURE_POINTS`` steps); for ``beta``
(whose shape parameters may fall below 1) from ``scipy.special.betaincinv`` and
``betainc``. Tables are kept per shape (``TABLE_CACHE``), so a shape is tabulated once
per process. :meth:`ParameterDistribution.quantile` gives the exact quantile for
reference.

References
----------
Vose, D. (2008) Risk Analysis: A Quantitative Guide, 3rd edition, Wiley, ch. 9 (PERT).
Malcolm, D.G., Roseboom, J.H., Clark, C.E. and Fazar, W. (1959) Application of a technique
for research and development program evaluation, Operations Research 7(5), 646-669.
Hörmann, W., Leydold, J. and Derflinger, G. (2004) Automatic Nonuniform Random Variate
Generation, Springer.
Cabinet Office (2012) A guide to Social Return on Investment, stage 4 and the sensitivity
analysis of stage 5 (ranges for estimates that are uncertain).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np
from scipy import special

KINDS: tuple[str, ...] = ("fixed", "uniform", "triangular", "pert", "beta")
"""Distribution shapes svlib samples from."""

PERT_LAMBDA: float = 4.0
"""Weight of the most likely value in beta-PERT (Vose 2008)."""

TABLE_CELLS: int = 512
"""Equal-probability cells in a tabulated inverse (a power of two, so ``u × K`` is exact)."""

DRAW_BITS: int = 12
"""Bits of each uniform number that choose a draw: ``DRAW_CELLS = 2**DRAW_BITS``."""

DRAW_CELLS: int = 1 << DRAW_BITS
"""Equally likely values each distribution is sampled from (4,096; a multiple of
``TABLE_CELLS``, so every draw cell lies inside one tabulated cell)."""

QUADRATURE_POINTS: int = 2048
"""Steps of the graded grid used to integrate a PERT density."""


@dataclass(frozen=True)
class ParameterDistribution:
    """The distribution of one parameter of one outcome.

    Parameters
    ----------
    kind : {"fixed", "uniform", "triangular", "pert", "beta"}
    low, mode, high : float
        Range and central (most likely) value, in the parameter's own units (a fraction
        0-1 for deflators and drop-off, people or units for quantity, GBP per unit per
        year for proxy_value). For ``beta``, ``mode`` holds the stated mean. A zero-width
        range (``low == high``) makes the distribution ``fixed``.
    mean_value, sd : float, optional
        For ``beta`` only: the mean and standard deviation it is matched to.
    evidence : str
        Where the distribution comes from, in plain words (for reports).
    """

    kind: str
    low: float
    mode: float
    high: float
    mean_value: float | None = None
    sd: float | None = None
    evidence: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown distribution '{self.kind}'; expected one of: {', '.join(KINDS)}")
        for name in ("low", "mode", "high"):
            value = float(getattr(self, name))
            if not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, got {value}")
            object.__setattr__(self, name, value)
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"expected low <= central value <= high, got {self.low:g}, {self.mode:g}, {self.high:g}")
        if self.kind == "beta":
            if self.mean_value is None or self.sd is None:
                raise ValueError("a beta distribution needs mean_value and sd")
            mu, sigma = self._standard_moments()
            if not (0.0 < mu < 1.0 and 0.0 < sigma and sigma**2 < mu * (1.0 - mu)):
                raise ValueError(
                    f"no beta distribution on [{self.low:g}, {self.high:g}] has mean {self.mean_value:g} "
                    f"and standard deviation {self.sd:g} (needs sd² < (mean − low)(high − mean))"
                )
        if self.low == self.high and self.kind != "fixed":
            object.__setattr__(self, "kind", "fixed")

    # --- construction -------------------------------------------------------------
    @classmethod
    def fixed(cls, value: float, evidence: str = "") -> "ParameterDistribution":
        """A parameter known exactly (no range)."""
        return cls("fixed", value, value, value, evidence=evidence)

    @classmethod
    def from_row(cls, row: Mapping[str, Any], parameter: str) -> "ParameterDistribution":
        """The distribution an impact-map row gives ``parameter``.

        Reads ``<parameter>_low``, ``<parameter>_high`` and ``<parameter>_dist``: a blank
        shape with a range means PERT; no range means fixed at the central value
        ``row[parameter]``; ``low == high`` means fixed.
        """
        central = float(row[parameter]) if parameter in row and _present(row[parameter]) else (
            0.0 if parameter == "leakage" else math.nan
        )
        low, high = row.get(f"{parameter}_low"), row.get(f"{parameter}_high")
        shape = str(row.get(f"{parameter}_dist") or "").strip().lower()
        if not (_present(low) and _present(high)) or shape == "fixed":
            return cls.fixed(central, evidence="central value (no range)")
        low, high = float(low), float(high)
        kind = shape or "pert"
        if kind == "beta":
            raise ValueError("a beta distribution is built from a mean and standard deviation, not from a map row")
        return cls(kind, low, central, high, evidence=f"range {low:g} to {high:g} ({kind})")

    @classmethod
    def beta_from_moments(cls, mean: float, sd: float, low: float = 0.0, high: float = 1.0,
                          evidence: str = "") -> "ParameterDistribution":
        """A beta distribution on ``[low, high]`` with the given mean and standard deviation."""
        return cls("beta", low, mean, high, mean_value=float(mean), sd=float(sd), evidence=evidence)

    # --- analytic properties ------------------------------------------------------
    def _standard_moments(self) -> tuple[float, float]:
        width = self.high - self.low
        return (float(self.mean_value) - self.low) / width, float(self.sd) / width

    def shape_parameters(self) -> tuple[float, float]:
        """``(alpha, beta)`` of the standardised beta distribution (``pert`` and ``beta``)."""
        if self.kind == "pert":
            width = self.high - self.low
            return (1.0 + PERT_LAMBDA * (self.mode - self.low) / width,
                    1.0 + PERT_LAMBDA * (self.high - self.mode) / width)
        if self.kind == "beta":
            mu, sigma = self._standard_moments()
            nu = mu * (1.0 - mu) / sigma**2 - 1.0
            return mu * nu, (1.0 - mu) * nu
        raise ValueError(f"a {self.kind} distribution has no beta shape parameters")

    def mean(self) -> float:
        """Exact mean: ``mode`` (fixed), ``(a + b)/2`` (uniform), ``(a + c + b)/3``
        (triangular), ``(a + 4c + b)/6`` (PERT), the stated mean (beta)."""
        a, c, b = self.low, self.mode, self.high
        if self.kind == "fixed":
            return c
        if self.kind == "uniform":
            return (a + b) / 2.0
        if self.kind == "triangular":
            return (a + c + b) / 3.0
        if self.kind == "pert":
            return (a + PERT_LAMBDA * c + b) / (PERT_LAMBDA + 2.0)
        return float(self.mean_value)

    def variance(self) -> float:
        """Exact variance: 0; ``w²/12``; ``(a² + b² + c² − ab − ac − bc)/18``;
        ``αβ w² / ((α + β)²(α + β + 1))`` (PERT); ``sd²`` (beta)."""
        a, c, b = self.low, self.mode, self.high
        if self.kind == "fixed":
            return 0.0
        if self.kind == "uniform":
            return (b - a) ** 2 / 12.0
        if self.kind == "triangular":
            return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0
        if self.kind == "pert":
            al, be = self.shape_parameters()
            return al * be * (b - a) ** 2 / ((al + be) ** 2 * (al + be + 1.0))
        return float(self.sd) ** 2

    def quantile(self, probability: np.ndarray | float) -> np.ndarray:
        """Exact quantile function (reference implementation; slow for PERT and beta)."""
        u = np.asarray(probability, float)
        a, c, b = self.low, self.mode, self.high
        if self.kind == "fixed":
            return np.full(u.shape, c)
        if self.kind == "uniform":
            return a + (b - a) * u
        if self.kind == "triangular":
            return _triangular_quantile(u, a, c, b)
        al, be = self.shape_parameters()
        return a + (b - a) * special.betaincinv(al, be, u)

    # --- sampling -----------------------------------------------------------------
    def from_uniform(self, uniforms: np.ndarray) -> np.ndarray:
        """Draws from uniform numbers in [0, 1]: the value of the cell each falls in
        (see the module notes). Returns a new array."""
        u = np.clip(np.array(uniforms, float, ndmin=1), 0.0, np.nextafter(1.0, 0.0))
        shape = u.shape
        return QuantileBatch([self]).apply(u.reshape(1, -1))[0].reshape(shape)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws, by inversion of ``rng.random(n)``."""
        return self.from_uniform(rng.random(n))

    def describe(self) -> str:
        """The distribution in plain words, e.g. ``"PERT from 0.2 to 0.4, most likely 0.3"``."""
        if self.kind == "fixed":
            return f"fixed at {self.mode:g}"
        if self.kind == "uniform":
            return f"uniform from {self.low:g} to {self.high:g}"
        if self.kind == "triangular":
            return f"triangular from {self.low:g} to {self.high:g}, most likely {self.mode:g}"
        if self.kind == "pert":
            return f"PERT from {self.low:g} to {self.high:g}, most likely {self.mode:g}"
        return f"beta on {self.low:g} to {self.high:g} with mean {self.mean_value:.4g} and sd {self.sd:.4g}"


def range_means(kind: str, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The exact means of many ranges of one shape (``uniform``, ``triangular`` or
    ``pert``), each as :meth:`ParameterDistribution.mean` gives it (the same arithmetic
    in the same order, so the same number to the last bit)."""
    if kind == "uniform":
        return (low + high) / 2.0
    if kind == "triangular":
        return (low + mode + high) / 3.0
    if kind == "pert":
        return (low + PERT_LAMBDA * mode + high) / (PERT_LAMBDA + 2.0)
    raise ValueError(f"no range mean for a {kind} distribution")


def range_quantiles(kind: str, low: np.ndarray, mode: np.ndarray, high: np.ndarray,
                    probabilities: np.ndarray) -> np.ndarray:
    """The exact quantiles of many ranges of one shape, ``(len(low), len(probabilities))``,
    each row as :meth:`ParameterDistribution.quantile` gives it (the same arithmetic; a
    PERT shape's standard quantiles are worked out once per ``(alpha, beta)``)."""
    a, c, b = low[:, None], mode[:, None], high[:, None]
    u = np.asarray(probabilities, float)
    if kind == "uniform":
        return a + (b - a) * u
    if kind == "triangular":
        return _triangular_quantile(u, a, c, b)
    if kind != "pert":
        raise ValueError(f"no range quantiles for a {kind} distribution")
    width = high - low  # shape_parameters' arithmetic
    alpha = 1.0 + PERT_LAMBDA * (mode - low) / width
    beta = 1.0 + PERT_LAMBDA * (high - mode) / width
    shapes, where = np.unique(np.stack([alpha, beta], axis=1), axis=0, return_inverse=True)
    standard = special.betaincinv(shapes[:, :1], shapes[:, 1:], u)
    return a + (b - a) * standard[where.reshape(-1)]


def _present(value: Any) -> bool:
    if value is None or value is np.nan:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    try:
        return not math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _triangular_quantile(u: np.ndarray, a, c, b) -> np.ndarray:
    """``a + sqrt(u (b − a)(c − a))`` below ``F(c) = (c − a)/(b − a)``, else
    ``b − sqrt((1 − u)(b − a)(b − c))`` (elementwise; ``a, c, b`` broadcast with ``u``)."""
    width = b - a
    split = np.divide(c - a, width, out=np.zeros(np.broadcast_shapes(np.shape(c), np.shape(width))),
                      where=np.asarray(width) > 0)
    rising = a + np.sqrt(u * width * (c - a))
    falling = b - np.sqrt((1.0 - u) * width * (b - c))
    return np.where(u < split, rising, falling)


# --- tabulated inverse for PERT and beta --------------------------------------------
@lru_cache(maxsize=1)
def _graded_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``x = sin²(π s / 2)`` on ``s = 0, 1/G, ..., 1``, with ``log x``, ``log(1 − x)`` and
    ``dx/ds`` (the logs at the ends are set to 0, where ``dx/ds = 0`` anyway)."""
    s = np.linspace(0.0, 1.0, QUADRATURE_POINTS + 1)
    half = np.pi * s / 2.0
    with np.errstate(divide="ignore"):
        log_x = 2.0 * np.log(np.sin(half))
        log_1mx = 2.0 * np.log(np.cos(half))
    log_x[0], log_1mx[-1] = 0.0, 0.0
    x = np.sin(half) ** 2
    x[0], x[-1] = 0.0, 1.0
    return x, log_x, log_1mx, (np.pi / 2.0) * np.sin(np.pi * s)


def _quadrature_knots(alpha: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles ``Q(j/K)`` and partial means ``∫_0^{j/K} Q(u) du`` for beta shapes with
    ``alpha, beta >= 1``, one row per shape.

    The density ``x^(α−1)(1 − x)^(β−1)`` is integrated with the trapezoid rule on the
    graded grid (masses normalised to 1); the distribution taken is the one with
    uniform density inside each grid step, whose quantiles and partial means are exact.
    """
    x, log_x, log_1mx, dx = _graded_grid()
    rows = len(alpha)
    density = np.multiply(alpha[:, None] - 1.0, log_x)
    density += (beta[:, None] - 1.0) * log_1mx
    np.exp(density, out=density)
    density *= dx
    steps = density.shape[1] - 1
    mass = np.add(density[:, 1:], density[:, :-1])
    mass *= 0.5
    mass /= mass.sum(axis=1, keepdims=True)
    cdf = np.empty((rows, steps + 1))
    cdf[:, 0] = 0.0
    np.cumsum(mass, axis=1, out=cdf[:, 1:])
    cdf[:, -1] = 1.0
    partial = np.empty_like(cdf)
    partial[:, 0] = 0.0
    moment = np.multiply(mass, (x[1:] + x[:-1]) * 0.5, out=density[:, 1:])
    np.cumsum(moment, axis=1, out=partial[:, 1:])
    u = np.arange(TABLE_CELLS + 1) / TABLE_CELLS
    # row by row, so that a shape's table never depends on the other shapes in the batch
    step = np.empty((rows, TABLE_CELLS + 1), np.intp)
    for r in range(rows):
        step[r] = np.searchsorted(cdf[r], u, side="right")
    step -= 1
    np.clip(step, 0, steps - 1, out=step)
    at_knot = step + (np.arange(rows) * (steps + 1))[:, None]  # flat index into cdf and partial
    start_cdf = cdf.take(at_knot)
    step_mass = mass.take(step + (np.arange(rows) * steps)[:, None])
    into_step = u - start_cdf
    frac = np.clip(np.divide(into_step, step_mass, out=np.zeros_like(step_mass), where=step_mass > 0), 0.0, 1.0)
    start_x = x[step]
    knots = x[step + 1] - start_x
    knots *= frac
    knots += start_x
    partial_at = partial.take(at_knot) + into_step * (start_x + knots) * 0.5
    knots[:, 0], knots[:, -1] = 0.0, 1.0
    return knots, partial_at


def _exact_knots(alpha: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`_quadrature_knots`, from ``betaincinv`` and the identity
    ``∫_0^x t f(t; α, β) dt = α/(α + β) × I_x(α + 1, β)``."""
    a, b = alpha[:, None], beta[:, None]
    u = np.arange(TABLE_CELLS + 1) / TABLE_CELLS
    knots = special.betaincinv(a, b, u[None, :])
    knots[:, 0], knots[:, -1] = 0.0, 1.0
    return knots, a / (a + b) * special.betainc(a + 1.0, b, knots)


def _segments(knots: np.ndarray, partial: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per cell ``j``: intercept ``c_j`` and slope ``w_j`` with draw ``c_j + w_j t`` for
    ``t = u K`` in ``[j, j + 1)``; the segment lies inside ``[Q_j, Q_{j+1}]`` and its
    midpoint is the cell's conditional mean ``m_j = K (M_{j+1} − M_j)``."""
    lo, hi = knots[:, :-1], knots[:, 1:]
    cell_mean = np.clip(TABLE_CELLS * np.diff(partial, axis=1), lo, hi)
    upper_half = cell_mean >= (lo + hi) * 0.5
    start = np.where(upper_half, 2.0 * cell_mean - hi, lo)
    width = np.where(upper_half, hi - start, 2.0 * (cell_mean - lo))
    j = np.arange(TABLE_CELLS)[None, :]
    return start - j * width, width


def standard_tables(shapes: Sequence[tuple[float, float]], exact: bool) -> tuple[np.ndarray, np.ndarray]:
    """Tabulated inverses of standard beta distributions, one row per ``(alpha, beta)``.

    Returns ``(intercept, slope)``, each of shape ``(len(shapes), TABLE_CELLS)``: a uniform
    ``u`` maps to ``intercept[j] + slope[j] × t`` with ``t = u × TABLE_CELLS`` and
    ``j = floor(t)``. ``exact`` uses special functions (any shape); otherwise quadrature
    (needs ``alpha, beta >= 1``, as PERT always has).
    """
    array = np.asarray(shapes, float).reshape(-1, 2)
    keys = [(float(a), float(b), bool(exact)) for a, b in array]
    missing = list(dict.fromkeys(key for key in keys if key not in _TABLES))
    if missing:
        found = np.array([key[:2] for key in missing])
        knots, partial = (_exact_knots if exact else _quadrature_knots)(found[:, 0], found[:, 1])
        intercept, slope = _segments(knots, partial)
        for i, key in enumerate(missing):
            kept = (intercept[i].copy(), slope[i].copy())  # copies: a view would keep the whole batch alive
            for row in kept:
                row.flags.writeable = False
            _TABLES[key] = kept
    rows = [_TABLES[key] for key in keys]
    while len(_TABLES) > TABLE_CACHE:
        del _TABLES[next(iter(_TABLES))]  # the oldest
    if not rows:
        return np.zeros((0, TABLE_CELLS)), np.zeros((0, TABLE_CELLS))
    return np.array([r[0] for r in rows]), np.array([r[1] for r in rows])


TABLE_CACHE: int = 1024
"""Standard tables kept for reuse (8 KB each, read-only; the oldest computed is dropped
first): a shape's table is computed once per process, since every row is computed on
its own (it never depends on the other shapes computed with it)."""

_TABLES: dict[tuple[float, float, bool], tuple[np.ndarray, np.ndarray]] = {}


class QuantileBatch:
    """Turns uniform numbers into draws for many distributions at once.

    Row ``r`` of the ``(len(distributions), n)`` array given to :meth:`apply` is
    transformed by ``distributions[r]``. The draws come from :attr:`values`, built once
    here: for each distribution its ``DRAW_CELLS`` equally likely values, the value of
    cell ``k`` being the continuous inverse (closed form, or the tabulated segments for
    PERT and beta) at the cell's midpoint probability ``(k + 1/2) / DRAW_CELLS``. A uniform ``u`` draws cell
    ``k = floor(u × DRAW_CELLS)``, which is also the top ``DRAW_BITS`` bits of the 64-bit
    generator output that ``u`` comes from (see :mod:`svlib.uncertainty.montecarlo`).
    """

    def __init__(self, distributions: Sequence[ParameterDistribution]) -> None:
        self.size = len(distributions)
        kinds: dict[str, list[int]] = {}
        for r, dist in enumerate(distributions):
            kinds.setdefault(dist.kind, []).append(r)
        self.groups: list[tuple[str, np.ndarray, dict[str, np.ndarray]]] = []
        for kind, rows in kinds.items():
            chosen = [distributions[r] for r in rows]
            col = lambda name: np.array([getattr(d, name) for d in chosen], float)[:, None]  # noqa: E731
            low, mode, high = col("low"), col("mode"), col("high")
            if kind in ("pert", "beta"):
                intercept, slope = standard_tables([d.shape_parameters() for d in chosen], exact=kind == "beta")
                width = high - low
                params = {"intercept": low + width * intercept, "slope": width * slope}
            else:
                params = {"low": low, "mode": mode, "high": high, "width": high - low}
            self.groups.append((kind, np.asarray(rows, np.intp), params))
        self.values: np.ndarray = np.empty((self.size, DRAW_CELLS))
        """``(len(distributions), DRAW_CELLS)``: the equally likely values of each distribution."""
        for kind, rows, params in self.groups:
            if len(rows) == self.size:
                _cell_values(kind, params, self.values)
            else:
                self.values[rows] = _cell_values(kind, params, np.empty((len(rows), DRAW_CELLS)))

    def apply(self, uniforms: np.ndarray) -> np.ndarray:
        """Transform ``uniforms`` (shape ``(rows, n)``, values in [0, 1)) in place into
        draws, ``values[r, floor(u × DRAW_CELLS)]``, and return it."""
        if uniforms.shape[0] != self.size:
            raise ValueError(f"expected {self.size} rows of uniforms, got {uniforms.shape[0]}")
        cells = draw_cells(uniforms)
        uniforms[...] = np.take_along_axis(self.values, cells, axis=1)
        return uniforms


def _cell_values(kind: str, params: dict[str, np.ndarray], out: np.ndarray) -> np.ndarray:
    """The continuous inverse at every cell midpoint, into ``out`` (``(rows, DRAW_CELLS)``):
    :func:`_transform` for the closed-form kinds; for PERT and beta the tabulated
    segments, cell midpoint ``k`` lying in segment ``k // s`` (``s = DRAW_CELLS /
    TABLE_CELLS``) at ``t = (k + 1/2) / s``, value ``intercept + slope × t``."""
    if kind not in ("pert", "beta"):
        out[...] = cell_midpoints()
        return _transform(kind, out, params)
    per_segment = DRAW_CELLS // TABLE_CELLS
    # t of the k-th cell of every segment at once (k = 0 .. per_segment − 1): long runs of
    # numbers, so numpy works fast; then put in cell order (the same two roundings a value)
    t = np.ascontiguousarray((cell_midpoints() * TABLE_CELLS).reshape(TABLE_CELLS, per_segment).T)[:, None, :]
    cells = out.reshape(len(out), TABLE_CELLS, per_segment)
    for a in range(0, len(out), CELL_ROWS):
        slope, intercept = params["slope"][a:a + CELL_ROWS], params["intercept"][a:a + CELL_ROWS]
        work = np.multiply(t, slope[None])  # (per_segment, rows, TABLE_CELLS)
        np.add(work, intercept[None], out=work)
        cells[a:a + CELL_ROWS] = work.transpose(1, 2, 0)
    return out


CELL_ROWS: int = 16
"""Distributions whose cell values :func:`_cell_values` works on at once (512 KB of work, so it
is reused from one group to the next rather than asked of the system each time)."""


def cell_midpoints() -> np.ndarray:
    """``(k + 1/2) / DRAW_CELLS`` for ``k = 0 .. DRAW_CELLS − 1`` (exact binary fractions)."""
    return (np.arange(DRAW_CELLS) + 0.5) / DRAW_CELLS


def draw_cells(uniforms: np.ndarray) -> np.ndarray:
    """The cell ``floor(u × DRAW_CELLS)`` of each uniform in [0, 1] (1 falls in the last cell)."""
    return np.minimum((np.asarray(uniforms, float) * DRAW_CELLS).astype(np.intp), DRAW_CELLS - 1)


def _transform(kind: str, u: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    """Closed-form inverse CDF of a block of uniforms (one row per distribution), in
    place, for the fixed, uniform and triangular kinds."""
    if kind == "fixed":
        u[...] = p["mode"]
    elif kind == "uniform":
        u *= p["width"]
        u += p["low"]
    else:
        u[...] = _triangular_quantile(u, p["low"], p["mode"], p["high"])
    return u
