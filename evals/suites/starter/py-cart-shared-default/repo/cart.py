"""Shopping carts for the checkout service."""


def new_cart(customer, items=[]):
    """A cart for `customer`, holding `items` (none by default)."""
    return {"customer": customer, "items": items}


def add_item(cart, sku, quantity=1):
    """Put `quantity` of `sku` in the cart."""
    cart["items"].append((sku, quantity))
    return cart


def total_quantity(cart):
    """How many things are in the cart."""
    return sum(quantity for _, quantity in cart["items"])
