"""Importing the contact lists customers upload as CSV."""

import csv


def read_contacts(path):
    """The rows of the CSV file at `path`, as dicts keyed by the header."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def emails(path):
    """Every contact's email address."""
    return [row["email"] for row in read_contacts(path)]
