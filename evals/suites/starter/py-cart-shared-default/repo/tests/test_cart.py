from cart import add_item, new_cart, total_quantity


def test_quantities_add_up():
    cart = new_cart("ana", [])
    add_item(cart, "pen", 2)
    add_item(cart, "book")
    assert total_quantity(cart) == 3
