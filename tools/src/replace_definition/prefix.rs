//! The lines that open a definition before its signature, told apart by their text:
//! comments (doc comments included) and attributes (Python's and TypeScript's
//! decorators, Java's annotations, Rust's `#[...]`, C++'s `[[...]]`), an attribute
//! running on over the lines its brackets stay open.

use wright_grammar::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lead {
    Comment,
    Attribute,
}

/// How a definition's text opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Leading {
    /// The kind of each leading line that is a comment or attributes and nothing else.
    pub lines: Vec<Lead>,
    /// Whether the line after them starts with attributes, then code
    /// (`@Override public String toString() {`).
    pub head_attributes: bool,
}

impl Leading {
    pub(super) fn has(&self, kind: Lead) -> bool {
        self.lines.contains(&kind) || kind == Lead::Attribute && self.head_attributes
    }
}

/// How `lines` open: their leading comments and attributes, until the first line of
/// anything else (or a blank line).
pub(super) fn leading(lang: Lang, lines: &[&str]) -> Leading {
    let mut out = Leading { lines: Vec::new(), head_attributes: false };
    let mut open_brackets = 0i64;
    let mut in_block_comment = false;
    for line in lines {
        let t = line.trim();
        if in_block_comment {
            out.lines.push(Lead::Comment);
            in_block_comment = !t.contains("*/");
        } else if open_brackets > 0 {
            out.lines.push(Lead::Attribute);
            open_brackets += brackets(t);
        } else if t.is_empty() {
            break;
        } else if is_comment(lang, t) {
            out.lines.push(Lead::Comment);
            in_block_comment = t.starts_with("/*") && !t.get(2..).unwrap_or_default().contains("*/");
        } else if let Some((_, code)) = split_attributes(lang, t) {
            if !code.is_empty() {
                out.head_attributes = true;
                break;
            }
            out.lines.push(Lead::Attribute);
            open_brackets = brackets(t).max(0);
        } else {
            break;
        }
    }
    out
}

fn is_comment(lang: Lang, t: &str) -> bool {
    match lang {
        Lang::Python => t.starts_with('#'),
        _ => t.starts_with("//") || t.starts_with("/*"),
    }
}

/// The attributes `line` starts with (blanks before them aside) and the code after them:
/// `@Override public String toString() {` is `@Override ` and the signature. An attribute
/// whose brackets stay open runs on over the next lines: all of this one is attribute.
pub(super) fn split_attributes(lang: Lang, line: &str) -> Option<(&str, &str)> {
    let t = line.trim_start();
    let mut rest = t;
    while let Some(after) = one_attribute(lang, rest) {
        rest = after.trim_start();
        if rest.is_empty() {
            break;
        }
    }
    let attributes = t.get(..t.len() - rest.len()).filter(|a| !a.is_empty())?;
    Some((attributes, rest))
}

/// What follows the attribute `t` starts with.
fn one_attribute(lang: Lang, t: &str) -> Option<&str> {
    match lang {
        Lang::Python | Lang::JavaScript | Lang::TypeScript | Lang::Tsx | Lang::Java => {
            let r = t.strip_prefix('@')?;
            // `@interface` declares an annotation type; it is no annotation.
            if lang == Lang::Java && r.starts_with("interface") {
                return None;
            }
            let name = r.len() - r.trim_start_matches(|c: char| c.is_alphanumeric() || "_.$".contains(c)).len();
            let r = r.get(name..).filter(|_| name > 0)?;
            if r.starts_with('(') { skip_group(r) } else { Some(r) }
        }
        Lang::Rust => t.strip_prefix('#').filter(|r| r.starts_with('[')).map(skip_group)?,
        Lang::Cpp => t.starts_with("[[").then(|| skip_group(t))?,
        Lang::C | Lang::Go => None,
    }
}

/// What follows the bracketed group `t` starts with; nothing when it does not close here.
fn skip_group(t: &str) -> Option<&str> {
    let mut depth = 0i64;
    for (at, c) in t.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            return t.get(at + c.len_utf8()..);
        }
    }
    Some("")
}

/// Round and square brackets opened minus closed.
fn brackets(t: &str) -> i64 {
    t.chars()
        .map(|c| match c {
            '(' | '[' => 1,
            ')' | ']' => -1,
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Lead::*;

    fn kinds(lang: Lang, text: &str) -> Vec<Lead> {
        leading(lang, &text.lines().collect::<Vec<_>>()).lines
    }

    #[test]
    fn comments_and_attributes_are_told_apart_until_the_signature() {
        assert_eq!(
            kinds(Lang::Python, "# why\n@cached(\n    size=3,\n)\ndef f():\n    # inner\n"),
            [Comment, Attribute, Attribute, Attribute]
        );
        assert_eq!(kinds(Lang::Rust, "/// Doc.\n#[cfg(test)]\nfn f() {}\n"), [Comment, Attribute]);
        assert_eq!(
            kinds(Lang::Java, "/**\n * Doc.\n */\n@Override\npublic void m() {}\n"),
            [Comment, Comment, Comment, Attribute]
        );
        assert_eq!(kinds(Lang::Java, "@interface Marker {}\n"), []);
        assert_eq!(kinds(Lang::C, "#define X 1\nint f(void) { return X; }\n"), [], "a preprocessor line is code");
        assert_eq!(kinds(Lang::Go, "// F does.\n\nfunc F() {}\n"), [Comment], "a blank line ends them");
        assert_eq!(kinds(Lang::Python, "def f():\n    pass\n"), []);
    }

    #[test]
    fn attributes_on_the_signature_line_are_split_off() {
        let lead = leading(Lang::Java, &["/** Doc. */", "@Override @SuppressWarnings({\"x\"}) public String m() {"]);
        assert_eq!((lead.lines, lead.head_attributes), (vec![Comment], true));
        assert_eq!(
            split_attributes(Lang::Java, "  @Override @SuppressWarnings({\"x\"}) public String m() {"),
            Some(("@Override @SuppressWarnings({\"x\"}) ", "public String m() {"))
        );
        assert_eq!(
            split_attributes(Lang::TypeScript, "@Input() run(): void {}"),
            Some(("@Input() ", "run(): void {}"))
        );
        assert_eq!(split_attributes(Lang::Rust, "#[inline] fn f() {}"), Some(("#[inline] ", "fn f() {}")));
        assert_eq!(split_attributes(Lang::Cpp, "[[nodiscard]] int f();"), Some(("[[nodiscard]] ", "int f();")));
        assert_eq!(split_attributes(Lang::Python, "@cached("), Some(("@cached(", "")));
        assert_eq!(split_attributes(Lang::Python, "def f():"), None);
        assert_eq!(split_attributes(Lang::Rust, "#![allow(x)]"), None);
    }
}
