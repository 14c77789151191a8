//! Reading a query the way a developer reads an issue: file paths, stack-trace frames,
//! identifiers and code are pulled out and weighted above plain words.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::tokenize::code_terms;

/// Weights of the kinds of evidence a query holds.
const CODE_WEIGHT: f32 = 1.6;
const IDENT_WEIGHT: f32 = 2.0;
const PART_WEIGHT: f32 = 0.6;
const WORD_WEIGHT: f32 = 1.0;
const TITLE_WEIGHT: f32 = 3.5;
/// Words that code samples and tracebacks in issues are full of, but that say nothing
/// about where the problem is.
const NOISE_WEIGHT: f32 = 0.15;
const NOISE: &[&str] = &[
    "import",
    "from",
    "def",
    "class",
    "return",
    "print",
    "self",
    "none",
    "true",
    "false",
    "python",
    "python3",
    "lambda",
    "pass",
    "raise",
    "traceback",
    "recent",
    "call",
    "last",
    "file",
    "line",
    "module",
    "most",
    "main",
    "py",
    "site",
    "packages",
    "ipython",
    "in_",
    "out_",
    "lib",
    "usr",
    "local",
    "bin",
    "in",
    "out",
    "np",
    "numpy",
    "pd",
    "os",
    "sys",
];
/// At most this many terms are searched; the rest carry little weight.
const MAX_TERMS: usize = 96;

const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "don",
    "down",
    "during",
    "each",
    "else",
    "even",
    "few",
    "for",
    "from",
    "further",
    "get",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "let",
    "like",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "please",
    "same",
    "see",
    "seems",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "us",
    "use",
    "used",
    "using",
    "very",
    "was",
    "way",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "isn",
    "doesn",
    "didn",
    "wasn",
    "aren",
    "won",
    "ve",
    "ll",
    "re",
    "e.g",
    "eg",
    "ie",
    "i.e",
    "etc",
    "thanks",
    "thank",
    "hi",
    "hello",
    "example",
    "expected",
    "actual",
    "result",
    "results",
    "output",
    "issue",
    "bug",
    "problem",
    "work",
    "works",
    "working",
    "want",
    "need",
    "make",
    "think",
    "know",
    "way",
    "something",
    "anything",
    "thing",
    "things",
    "new",
    "https",
    "http",
    "www",
    "com",
    "github",
    "version",
    "versions",
];

/// A query, read.
#[derive(Debug, Default, Clone)]
pub struct Analyzed {
    /// Index terms with their weights, heaviest first.
    pub terms: Vec<(String, f32)>,
    /// File paths the text names, lowercased (`requests/models.py`, `models.py`).
    pub paths: Vec<String>,
    /// Identifiers the text names, lowercased.
    pub idents: Vec<String>,
}

static FENCE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)```.*?```").unwrap_or_else(|_| never()));
static BACKTICK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`\n]+)`").unwrap_or_else(|_| never()));
static PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[\w./\\-]*\w\.(py|pyi|rs|js|jsx|ts|tsx|go|java|c|h|cc|cpp|hpp|rb|php|cs|kt|scala|swift|rst|md|txt|toml|cfg|ini|yaml|yml|json)\b")
        .unwrap_or_else(|_| never())
});
static FRAME_FN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"File "[^"]+", line \d+, in (\w+)"#).unwrap_or_else(|_| never()));
static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]*(?:[.-][A-Za-z_][A-Za-z0-9_]*)*").unwrap_or_else(|_| never()));

/// A regex that matches nothing, for the (impossible) case a constant pattern fails.
fn never() -> Regex {
    Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!())
}

pub fn analyze(text: &str) -> Analyzed {
    let mut weights: HashMap<String, f32> = HashMap::new();
    let mut add = |term: String, w: f32| {
        if term.len() < 2 || term.len() > 64 || term.chars().all(|c| c.is_ascii_digit()) {
            return;
        }
        if STOPWORDS.contains(&term.as_str()) {
            return;
        }
        let w = if NOISE.contains(&term.as_str()) { w.min(NOISE_WEIGHT) } else { w };
        let e = weights.entry(term).or_insert(0.0);
        // Repeats add evidence, with diminishing returns.
        *e = if *e == 0.0 { w } else { e.max(w) + 0.25 * w.min(*e) };
    };

    let mut code = String::new();
    for m in FENCE.find_iter(text).chain(BACKTICK.find_iter(text)) {
        code.push_str(m.as_str());
        code.push('\n');
    }

    let mut paths = Vec::new();
    for m in PATH.find_iter(text) {
        let p = m.as_str().replace('\\', "/").trim_start_matches("./").to_lowercase();
        if !p.starts_with("http") && !paths.contains(&p) {
            paths.push(p);
        }
    }

    let mut idents = Vec::new();
    for cap in FRAME_FN.captures_iter(text) {
        idents.push(cap[1].to_lowercase());
    }

    // The title says what is wrong in the reporter's own words.
    let title = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let title_w = TITLE_WEIGHT;
    for m in WORD.find_iter(title) {
        for t in code_terms(m.as_str()) {
            add(t, title_w);
        }
    }

    for source in [(text, false), (code.as_str(), true)] {
        for m in WORD.find_iter(source.0) {
            let word = m.as_str();
            let is_ident = word.contains('_')
                || word.contains('.')
                || word.chars().skip(1).any(|c| c.is_uppercase()) && word.chars().any(|c| c.is_lowercase());
            let base = if source.1 { CODE_WEIGHT } else { WORD_WEIGHT };
            let terms = code_terms(word);
            let whole = word.to_lowercase();
            // In code, a called name or a capitalised name (a class) names a definition too.
            let after = source.0.get(m.end()..).and_then(|rest| rest.chars().next());
            let named_in_code = source.1 && (after == Some('(') || word.starts_with(|c: char| c.is_uppercase()));
            if (is_ident || named_in_code) && !idents.contains(&whole) && !whole.contains('-') {
                idents.push(whole.clone());
            }
            for t in terms {
                let w = if t == whole {
                    if is_ident { IDENT_WEIGHT.max(base) } else { base }
                } else if is_ident {
                    PART_WEIGHT
                } else {
                    base
                };
                add(t, w);
            }
        }
    }

    let mut terms: Vec<(String, f32)> = weights.into_iter().collect();
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(MAX_TERMS);
    Analyzed { terms, paths, idents }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_frames_and_identifiers_are_pulled_out() {
        let q = "Calling `Request.register_hook` fails\n```\nTraceback:\n  File \"requests/models.py\", line 12, in register_hook\n```\nthe hooks dict";
        let a = analyze(q);
        assert!(a.paths.contains(&"requests/models.py".to_string()));
        assert!(a.idents.contains(&"register_hook".to_string()));
        assert!(a.idents.contains(&"request.register_hook".to_string()));
        let w = |t: &str| a.terms.iter().find(|(x, _)| x == t).map(|(_, w)| *w).unwrap_or(0.0);
        assert!(w("register_hook") > w("hooks"));
        assert!(w("hooks") > 0.0);
        assert_eq!(w("the"), 0.0);
    }
}
