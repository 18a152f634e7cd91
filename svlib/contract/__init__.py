"""The data contract: every table's columns, vocabulary, examples and help text, and the reading of
one cell into a typed value. Declared once; the template, the readers and the schemas all read it."""
