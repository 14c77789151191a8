//! `{name}` placeholders filled in one pass: a value that holds `{other}` is not filled
//! again, so text from a stranger cannot pull in another value.

pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 1..).unwrap_or_default();
        match values.iter().find(|(name, _)| after.starts_with(&format!("{name}}}"))) {
            Some((name, value)) => {
                out.push_str(value);
                rest = after.get(name.len() + 1..).unwrap_or_default();
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_are_not_filled_again() {
        assert_eq!(super::fill("a {x} {y} {z}", &[("x", "{y}"), ("y", "2")]), "a {y} 2 {z}");
    }
}
