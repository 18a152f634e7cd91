"""Raw to processed: validate a raw collection and write its tidy tables (``svlib build``)."""
