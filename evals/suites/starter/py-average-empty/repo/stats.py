"""Summary figures for the daily report."""


def average(values):
    """The mean of `values`."""
    return sum(values) / len(values)


def spread(values):
    """The largest value minus the smallest."""
    return max(values) - min(values)
