import pytest

from top import main


def test_limit_prints_only_the_first_n(tmp_path, capsys):
    f = tmp_path / "t.txt"
    f.write_text("a b b c c c", encoding="utf-8")
    main(["--limit", "2", str(f)])
    assert capsys.readouterr().out == "3 c\n2 b\n"


def test_without_limit_every_word_is_printed(tmp_path, capsys):
    f = tmp_path / "t.txt"
    f.write_text("a b b", encoding="utf-8")
    main([str(f)])
    assert capsys.readouterr().out == "2 b\n1 a\n"


def test_a_limit_must_be_positive(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("a", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["--limit", "0", str(f)])
