//! Summaries of request latencies, in microseconds, for the status page.

/// The mean of `samples`, rounded down; `None` when there are none.
pub fn mean_us(samples: &[u32]) -> Option<u32> {
    if samples.is_empty() {
        return None;
    }
    let total: u32 = samples.iter().sum();
    Some(total / samples.len() as u32)
}

/// The slowest sample; `None` when there are none.
pub fn max_us(samples: &[u32]) -> Option<u32> {
    samples.iter().copied().max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_requests() {
        assert_eq!(mean_us(&[100, 200, 301]), Some(200));
        assert_eq!(max_us(&[100, 200, 301]), Some(301));
    }
}
