from settings import parse


def test_plain_settings():
    text = '# the web server\nhost = example.com\n\nport = 8080\ngreeting = "Hello, world"\n'
    assert parse(text) == {"host": "example.com", "port": "8080", "greeting": "Hello, world"}
