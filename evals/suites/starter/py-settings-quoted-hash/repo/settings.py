"""Reading the app's `key = value` settings files."""


def parse(text):
    """The settings in `text`, as a dict of strings.

    One `key = value` a line. Blank lines are skipped, and a # starts a comment that runs
    to the end of its line. A value may be written in double quotes to keep spaces or a #
    in it: `motd = "Hi # there"`; the quotes are not part of the value.
    """
    settings = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"line {number}: expected key = value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        settings[key.strip()] = value
    return settings


def load(path):
    """The settings in the file at `path`."""
    with open(path, encoding="utf-8") as f:
        return parse(f.read())
