"""Uncertainty: parameter distributions, deflators from evidence, Monte Carlo, sensitivity and scenarios."""
