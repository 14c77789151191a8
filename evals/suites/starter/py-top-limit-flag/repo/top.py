"""`python3 top.py FILE`: the words of a text file, most frequent first."""

import argparse
import collections


def top_words(text):
    """(word, count) pairs, most frequent first, ties in order of first use."""
    counts = collections.Counter(text.lower().split())
    return counts.most_common()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file")
    args = parser.parse_args(argv)
    with open(args.file, encoding="utf-8") as f:
        for word, count in top_words(f.read()):
            print(f"{count} {word}")


if __name__ == "__main__":
    main()
