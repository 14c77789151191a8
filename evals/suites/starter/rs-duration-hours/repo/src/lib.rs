//! Reading timeouts such as `30s` or `5m` from the job config.

/// The seconds in `text`: a whole number followed by a unit, `s` (seconds) or `m` (minutes).
pub fn parse_duration(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let unit_at = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("`{text}`: a duration needs a unit (s or m)"))?;
    let (number, unit) = text.split_at(unit_at);
    let n: u64 = number.parse().map_err(|_| format!("`{text}`: expected a number before the unit"))?;
    match unit {
        "s" => Ok(n),
        "m" => Ok(n * 60),
        _ => Err(format!("`{text}`: unknown unit `{unit}` (s or m)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_and_minutes() {
        assert_eq!(parse_duration("45s"), Ok(45));
        assert_eq!(parse_duration(" 5m "), Ok(300));
        assert!(parse_duration("5 minutes").is_err());
    }
}
