"""A layout generator with ground truth (#20): for each dataset, hypothesis draws a layout from the
named space (`space.py`), a generator writes the file and the values it must yield, and the test
extracts it with the real spec and compares. `make test-layouts` runs ≥ 2,000 examples a dataset."""
