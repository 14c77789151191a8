from pages import paginate


def test_first_page():
    assert paginate(list(range(10)), 1, 4) == [0, 1, 2, 3]
