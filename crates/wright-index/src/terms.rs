//! Splitting text into search terms: identifiers are kept whole and split at
//! camelCase, snake_case, kebab-case and dots.

const STOPWORDS: &[&str] = &[
    "the", "and", "for", "with", "that", "this", "from", "are", "was", "not", "but", "have", "has", "had", "its",
    "into", "when", "then", "than", "there", "which", "will", "would", "should", "could", "can", "does", "did",
    "doesn", "isn", "fix", "bug", "issue", "use", "using", "used", "all", "any", "some", "one", "also", "how", "what",
    "why", "where", "you", "your", "our", "they", "them", "let", "get", "set", "new", "like", "just", "only",
];

/// Lowercased terms of `text`, each identifier whole and in parts; duplicates kept.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        if word.is_empty() {
            continue;
        }
        let parts = split_identifier(word);
        if parts.len() > 1 {
            out.push(word.to_lowercase());
        }
        out.extend(parts);
    }
    out
}

/// The distinct, meaningful terms of a query.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = tokens(query)
        .into_iter()
        .filter(|t| t.len() >= 2 && !STOPWORDS.contains(&t.as_str()) && !t.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    terms.retain(|t| seen.insert(t.clone()));
    terms
}

fn split_identifier(word: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for piece in word.split('_').filter(|p| !p.is_empty()) {
        let chars: Vec<char> = piece.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let boundary = (chars[i].is_uppercase() && chars[i - 1].is_lowercase())
                || (chars[i].is_uppercase()
                    && i + 1 < chars.len()
                    && chars[i + 1].is_lowercase()
                    && chars[i - 1].is_uppercase());
            if boundary {
                parts.push(chars[start..i].iter().collect::<String>().to_lowercase());
                start = i;
            }
        }
        parts.push(chars[start..].iter().collect::<String>().to_lowercase());
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_split_and_kept() {
        assert_eq!(tokens("parseDate"), vec!["parsedate", "parse", "date"]);
        assert_eq!(tokens("parse_date"), vec!["parse_date", "parse", "date"]);
        assert_eq!(tokens("HTTPServer"), vec!["httpserver", "http", "server"]);
        assert_eq!(
            query_terms("the parse_date helper rejects dates"),
            vec!["parse_date", "parse", "date", "helper", "rejects", "dates"]
        );
    }
}
