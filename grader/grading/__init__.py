"""Grading a class: the course folder's layout, collect, the batch and its job runner, the trusted writer,
feedback, exports and the report."""
