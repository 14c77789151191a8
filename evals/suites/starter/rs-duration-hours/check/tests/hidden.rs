use durations::parse_duration;

#[test]
fn hours_are_a_unit() {
    assert_eq!(parse_duration("2h"), Ok(7200));
}

#[test]
fn parts_add_up() {
    assert_eq!(parse_duration("1h30m"), Ok(5400));
    assert_eq!(parse_duration("2m30s"), Ok(150));
    assert_eq!(parse_duration("1h2m3s"), Ok(3723));
}

#[test]
fn malformed_durations_are_errors() {
    for text in ["", "10", "h", "5x", "1h30", "m30s", "5 minutes"] {
        assert!(parse_duration(text).is_err(), "{text:?} should be an error");
    }
    assert_eq!(parse_duration("90s"), Ok(90));
}
