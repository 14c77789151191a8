import pytest

from settings import parse


def test_a_hash_inside_quotes_is_kept():
    assert parse('db_password = "hunter#2"\n') == {"db_password": "hunter#2"}


def test_a_comment_after_a_quoted_value():
    text = 'motd = "Sale # today only"  # shown at login\nport = 80\n'
    assert parse(text) == {"motd": "Sale # today only", "port": "80"}


def test_comments_are_still_dropped():
    text = "# settings\nport = 80 # the web port\n   # indented comment\nname = web\n"
    assert parse(text) == {"port": "80", "name": "web"}
    with pytest.raises(ValueError):
        parse("no equals sign here\n")
