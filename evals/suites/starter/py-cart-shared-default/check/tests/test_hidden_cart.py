from cart import add_item, new_cart


def test_a_new_cart_starts_empty():
    add_item(new_cart("ana"), "book")
    assert new_cart("bob")["items"] == []


def test_two_carts_do_not_share_items():
    ana = new_cart("ana")
    bob = new_cart("bob")
    add_item(ana, "book")
    add_item(bob, "pen", 3)
    assert ana["items"] == [("book", 1)]
    assert bob["items"] == [("pen", 3)]


def test_given_items_are_kept():
    assert new_cart("cy", [("mug", 2)])["items"] == [("mug", 2)]
