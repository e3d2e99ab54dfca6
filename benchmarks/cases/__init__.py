"""One module per measured operation; each exposes ``run(context) -> list[Row]``."""
