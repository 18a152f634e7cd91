"""Cited reference data shipped with svlib: the proxy library, price indices and discount schedules."""
