use calendar::{days_in_month, is_leap};

#[test]
fn centuries_are_leap_only_by_400() {
    assert!(!is_leap(1900));
    assert!(!is_leap(2100));
    assert!(is_leap(2000));
}

#[test]
fn february_2100_has_28_days() {
    assert_eq!(days_in_month(2100, 2), 28);
}
