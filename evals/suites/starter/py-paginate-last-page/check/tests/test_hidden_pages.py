from pages import page_count, paginate


def test_last_partial_page():
    assert paginate(list(range(10)), 3, 4) == [8, 9]


def test_page_count_rounds_up():
    assert page_count(10, 4) == 3
    assert page_count(8, 4) == 2
    assert page_count(0, 4) == 0
