from contacts import emails, read_contacts


def test_a_byte_order_mark_is_not_part_of_the_header(tmp_path):
    f = tmp_path / "excel.csv"
    f.write_bytes("email,name\r\nbo@example.com,Bo\r\n".encode("utf-8-sig"))
    assert emails(f) == ["bo@example.com"]
    assert list(read_contacts(f)[0]) == ["email", "name"]
