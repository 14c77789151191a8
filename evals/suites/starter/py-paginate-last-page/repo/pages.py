"""Splitting a list of items into pages for the listing screens."""


def page_count(total, size):
    """How many pages `total` items fill, `size` to a page."""
    return total // size


def paginate(items, page, size):
    """The items on page `page` (from 1), `size` to a page."""
    if page < 1 or page > page_count(len(items), size):
        return []
    start = (page - 1) * size
    return items[start:start + size]
