"""The base layer: problems and messages, safe files and folders, small frame helpers, provenance,
worker processes and personal-data patterns. Imports nothing else from svlib."""
