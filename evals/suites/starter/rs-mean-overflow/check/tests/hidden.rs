use latency::{max_us, mean_us};

#[test]
fn slow_requests_do_not_overflow() {
    assert_eq!(mean_us(&[3_000_000_000, 2_000_000_000]), Some(2_500_000_000));
}

#[test]
fn many_samples_at_the_limit() {
    assert_eq!(mean_us(&vec![u32::MAX; 1000]), Some(u32::MAX));
    assert_eq!(mean_us(&[u32::MAX, u32::MAX, 1]), Some(2_863_311_530));
}

#[test]
fn no_samples_have_no_mean() {
    assert_eq!(mean_us(&[]), None);
    assert_eq!(max_us(&[]), None);
}
