"""Tools for maintainers, not used at run time: the example-partner generator and the refresh of
checked notebook outputs."""
