"""How the zoo's weights are made: one entry point per model (``python -m train.<model> --help``)."""
