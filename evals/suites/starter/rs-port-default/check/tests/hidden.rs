use serve::parse_port;

#[test]
fn an_empty_port_is_the_default() {
    assert_eq!(parse_port(""), Ok(8080));
    assert_eq!(parse_port("   "), Ok(8080));
}

#[test]
fn garbage_is_still_an_error() {
    assert!(parse_port("eighty").is_err());
}
