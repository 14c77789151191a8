from contacts import emails


def test_plain_csv(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("email,name\nana@example.com,Ana\n", encoding="utf-8")
    assert emails(f) == ["ana@example.com"]
