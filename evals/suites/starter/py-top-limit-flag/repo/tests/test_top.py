from top import top_words


def test_most_frequent_first():
    assert top_words("b a b")[0] == ("b", 2)
