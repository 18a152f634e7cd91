"""The SROI conventions and the one valuation engine, deterministic and Monte Carlo alike."""
