//! The new definition in place of the old one. The comments and the attributes
//! (decorators, annotations) above the old one or on its signature line stay unless the
//! new text brings its own; an `export` or a C++ `template` line the new text left out
//! stays; the file's line endings stay.

use wright_grammar::{Lang, Site};

use super::prefix::{Lead, Leading, leading, split_attributes};
use super::reindent::{indent, reindent};

/// The file with the new definition in it.
#[derive(Debug)]
pub(super) struct Spliced {
    pub after: String,
    /// 1-based, inclusive: the lines of the old text replaced.
    pub replaced: (usize, usize),
    /// 1-based, inclusive: the lines the new definition takes in `after`.
    pub placed: (usize, usize),
    /// What was kept of the old definition that `new` left out, for the answer.
    pub kept: Vec<String>,
}

/// `before` with the definition at `site` replaced by `new` (cleaned, not yet indented).
pub(super) fn splice(lang: Lang, before: &str, site: &Site, new: &str) -> Spliced {
    let lines: Vec<&str> = before.split_inclusive('\n').collect();
    let line = |n: usize| -> &str {
        n.checked_sub(1).and_then(|i| lines.get(i)).map(|l| l.trim_end_matches(['\n', '\r'])).unwrap_or_default()
    };
    let end = site.def.end_line.clamp(1, lines.len().max(1));
    let head = site.head_line.clamp(1, end);
    let new_lines: Vec<&str> = new.lines().collect();
    // The signature is the first line that is not only comments or attributes; one is.
    let mut new_leads = leading(lang, &new_lines);
    let new_head = new_leads.lines.len().min(new_lines.len().saturating_sub(1));
    new_leads.lines.truncate(new_head);
    // Lines just above that `new` repeats are the definition's, attached or not.
    let mut first = site.first_line.clamp(1, head);
    first -= repeated_above(&line, first, new_lines.get(..new_head).unwrap_or_default());

    let old_prefix: Vec<&str> = (first..head).map(line).collect();
    let body = reindent(&new_lines, new_head, indent(line(head)));
    let (new_prefix, rest) = body.split_at(new_head.min(body.len()));
    let mut kept = Vec::new();
    let (above, between) = old_lines_kept(lang, &old_prefix, &new_leads, &mut kept);
    let mut rest = rest.to_vec();
    if !new_leads.has(Lead::Attribute) && keep_inline_attributes(lang, line(head), &mut rest) {
        kept.push(format!("the {} on its first line", attribute_word(lang)));
    }
    if keep_export(lang, line(head), &mut rest) {
        kept.push("`export`".into());
    }
    // A C++ `template <...>` stands on lines of its own before the signature.
    let template: Vec<String> = (head..site.def.start_line.min(end)).map(|n| line(n).to_string()).collect();
    if keep_template(template, &mut rest) {
        kept.push("the `template` line".into());
    }
    let block: Vec<String> = above.into_iter().chain(new_prefix.iter().cloned()).chain(between).chain(rest).collect();

    let eol = if lines.get(first - 1).is_some_and(|l| l.ends_with("\r\n")) { "\r\n" } else { "\n" };
    let mut after: String = lines.iter().take(first - 1).copied().collect();
    after.push_str(&block.join(eol));
    if lines.get(end - 1).is_some_and(|l| l.ends_with('\n')) {
        after.push_str(eol);
    }
    after.extend(lines.iter().skip(end).copied());
    let placed = (first, first + block.len().saturating_sub(1));
    Spliced { after, replaced: (first, end), placed, kept }
}

/// The lines of the old definition's comments and attributes to keep: those of a kind
/// the new text has none of. Comments go before the new text's attributes, attributes
/// after its comments; with nothing new of either, the old lines stay as they were.
fn old_lines_kept(
    lang: Lang,
    old_prefix: &[&str],
    new_leads: &Leading,
    kept: &mut Vec<String>,
) -> (Vec<String>, Vec<String>) {
    let mut kinds = leading(lang, old_prefix).lines;
    // What the syntax tree attaches but the text does not tell goes with the attributes.
    kinds.resize(old_prefix.len(), Lead::Attribute);
    let mut old = |kind: Lead, what: &str| -> Vec<String> {
        let lines: Vec<String> =
            old_prefix.iter().zip(&kinds).filter(|(_, k)| **k == kind).map(|(l, _)| l.to_string()).collect();
        if !lines.is_empty() {
            let n = lines.len();
            kept.push(format!("the {what} above it ({n} line{})", if n == 1 { "" } else { "s" }));
        }
        lines
    };
    match (new_leads.has(Lead::Comment), new_leads.has(Lead::Attribute)) {
        (false, false) => {
            old(Lead::Comment, "comments");
            old(Lead::Attribute, attribute_word(lang));
            (old_prefix.iter().map(|l| l.to_string()).collect(), Vec::new())
        }
        (true, false) => (Vec::new(), old(Lead::Attribute, attribute_word(lang))),
        (false, true) => (old(Lead::Comment, "comments"), Vec::new()),
        (true, true) => (Vec::new(), Vec::new()),
    }
}

/// The old `template <...>` lines put in front of a new signature that opens none.
fn keep_template(template: Vec<String>, rest: &mut Vec<String>) -> bool {
    let opens = rest.iter().find(|l| !l.trim().is_empty()).is_some_and(|l| l.trim_start().starts_with("template"));
    if template.is_empty() || opens {
        return false;
    }
    rest.splice(0..0, template);
    true
}

/// How many of the lines just above line `first` are the first lines of `prefix`.
fn repeated_above<'a>(line: &impl Fn(usize) -> &'a str, first: usize, prefix: &[&str]) -> usize {
    (1..=prefix.len())
        .rev()
        .find(|&j| first > j && prefix.iter().take(j).enumerate().all(|(i, p)| line(first - j + i).trim() == p.trim()))
        .unwrap_or(0)
}

/// The attributes the old signature line starts with (`@Override public ...`) put back in
/// front of a new signature that has none.
fn keep_inline_attributes(lang: Lang, old_head: &str, rest: &mut [String]) -> bool {
    let Some((attributes, code)) = split_attributes(lang, old_head) else { return false };
    let Some(signature) = rest.iter_mut().find(|l| !l.trim().is_empty()) else { return false };
    if code.is_empty() {
        return false;
    }
    *signature = format!("{}{attributes}{}", indent(signature), signature.trim_start());
    true
}

/// `export` (or `export default`) put back in front of the new signature when the old one
/// had it and the new one has none: leaving it out would break every import.
fn keep_export(lang: Lang, old_head: &str, rest: &mut [String]) -> bool {
    if !matches!(lang, Lang::JavaScript | Lang::TypeScript | Lang::Tsx) {
        return false;
    }
    let old = old_head.trim_start();
    let export = if old.starts_with("export default ") {
        "export default "
    } else if old.starts_with("export ") {
        "export "
    } else {
        return false;
    };
    let Some(signature) = rest.iter_mut().find(|l| !l.trim().is_empty()) else { return false };
    let body = signature.trim_start();
    if body.starts_with("export ") {
        return false;
    }
    *signature = format!("{}{export}{body}", indent(signature));
    true
}

fn attribute_word(lang: Lang) -> &'static str {
    match lang {
        Lang::Python | Lang::JavaScript | Lang::TypeScript | Lang::Tsx => "decorators",
        Lang::Java => "annotations",
        _ => "attributes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(lang: Lang, src: &str, qualified: &str) -> Site {
        wright_grammar::sites(lang, src).unwrap().into_iter().find(|s| s.def.qualified == qualified).unwrap()
    }

    const DECORATED: &str =
        "class A:\n    # cached\n    @property\n    def v(self):\n        return 1\n\n    def w(self):\n        pass\n";

    #[test]
    fn decorators_left_out_are_kept_and_given_ones_replace_them() {
        let s = site(Lang::Python, DECORATED, "A.v");
        let kept = splice(Lang::Python, DECORATED, &s, "def v(self):\n    return 2");
        assert_eq!(
            kept.after,
            "class A:\n    # cached\n    @property\n    def v(self):\n        return 2\n\n    def w(self):\n        pass\n"
        );
        assert_eq!(kept.kept, ["the comments above it (1 line)", "the decorators above it (1 line)"]);
        assert_eq!((kept.replaced, kept.placed), ((2, 5), (2, 5)));

        let replaced = splice(Lang::Python, DECORATED, &s, "@cached_property\ndef v(self):\n    return 2");
        assert!(replaced.after.contains("    # cached\n    @cached_property\n    def v(self):\n        return 2\n"));
        assert!(!replaced.after.contains("@property"), "{}", replaced.after);
        assert_eq!(replaced.kept, ["the comments above it (1 line)"]);

        let commented = splice(Lang::Python, DECORATED, &s, "# fresh\ndef v(self):\n    return 2");
        assert!(commented.after.contains("class A:\n    # fresh\n    @property\n    def v(self):\n"));
    }

    #[test]
    fn lines_above_that_new_repeats_are_not_doubled() {
        let src = "x = 1\n# Adds.\ndef add(a, b):\n    return a - b\n";
        let mut s = site(Lang::Python, src, "add");
        s.first_line = s.def.start_line; // as if the tree had not attached the comment
        let out = splice(Lang::Python, src, &s, "# Adds.\ndef add(a, b):\n    return a + b");
        assert_eq!(out.after, "x = 1\n# Adds.\ndef add(a, b):\n    return a + b\n");
    }

    #[test]
    fn annotations_on_the_signature_line_are_kept_or_replaced() {
        let src = "class A {\n    @Override public String toString() {\n        return \"a\";\n    }\n}\n";
        let s = site(Lang::Java, src, "A.toString");
        let out = splice(Lang::Java, src, &s, "public String toString() {\n    return \"A\";\n}");
        assert!(
            out.after.contains("    @Override public String toString() {\n        return \"A\";\n    }\n"),
            "{}",
            out.after
        );
        assert_eq!(out.kept, ["the annotations on its first line"]);
        let out = splice(Lang::Java, src, &s, "@Deprecated public String toString() {\n    return \"A\";\n}");
        assert!(
            out.after.contains("    @Deprecated public String toString() {\n        return \"A\";\n    }\n"),
            "{}",
            out.after
        );
        assert!(out.kept.is_empty(), "{:?}", out.kept);
    }

    #[test]
    fn a_template_left_out_is_kept() {
        let src = "template <typename T>\nT twice(T x) {\n    return x;\n}\n";
        let s = site(Lang::Cpp, src, "twice");
        let out = splice(Lang::Cpp, src, &s, "T twice(T x) {\n    return x + x;\n}");
        assert_eq!(out.after, "template <typename T>\nT twice(T x) {\n    return x + x;\n}\n");
        let out = splice(Lang::Cpp, src, &s, "template <class T>\nT twice(T x) {\n    return x + x;\n}");
        assert_eq!(out.after, "template <class T>\nT twice(T x) {\n    return x + x;\n}\n");
    }

    #[test]
    fn line_endings_export_and_a_missing_final_newline_are_kept() {
        let src = "// Sum.\r\nexport function sum(xs) {\r\n  return 0;\r\n}";
        let s = site(Lang::JavaScript, src, "sum");
        let out = splice(Lang::JavaScript, src, &s, "function sum(xs) {\n  return xs.reduce((a, b) => a + b, 0);\n}");
        assert_eq!(out.after, "// Sum.\r\nexport function sum(xs) {\r\n  return xs.reduce((a, b) => a + b, 0);\r\n}");
        assert!(out.kept.contains(&"`export`".to_string()), "{:?}", out.kept);
    }
}
