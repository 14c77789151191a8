from stats import average, spread


def test_average_of_nothing_is_none():
    assert average([]) is None


def test_spread_of_nothing_is_none():
    assert spread([]) is None
