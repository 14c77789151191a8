//! Reading the server's settings from the environment's text values.

/// The port to listen on, from the `PORT` setting.
pub fn parse_port(value: &str) -> Result<u16, String> {
    value.trim().parse::<u16>().map_err(|e| format!("PORT `{value}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_a_port() {
        assert_eq!(parse_port("8081"), Ok(8081));
        assert!(parse_port("http").is_err());
    }
}
