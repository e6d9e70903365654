"""Training loop pieces: the data pipeline and the trainer."""
