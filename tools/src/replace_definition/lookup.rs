//! Which definition a model means by `symbol`: a bare name, a qualified one
//! (`Class.method`, Go's `Type.Method`), or either with the line it starts on
//! (`Parser.parse:42`) to tell overloads apart. Not found and not unique are answers that
//! list the definitions to choose from.

use std::fmt::Write;

use wright_grammar::{DefKind, Site};

/// At most this many definitions are listed when the name is found nowhere.
const LISTED: usize = 30;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(super) enum LookupError {
    #[error(
        "`symbol` is empty: give the name of the function, method or class to replace (`name`, or `Class.method` for a method)"
    )]
    Empty,
    #[error(
        "this file holds no function, method or class that wright can find; read it (read_file) and change it with edit"
    )]
    NoDefinitions,
    #[error(
        "no function, method or class named `{symbol}` in this file. {listing}\nCall replace_definition again with one of these names as `symbol`; if the code you mean is in another file, search for `{short}` to find it."
    )]
    NotFound { symbol: String, short: String, listing: String },
    #[error(
        "`{symbol}` names {count} definitions in this file:\n{listing}\nCall replace_definition again with {how} as `symbol`."
    )]
    Ambiguous { symbol: String, count: usize, listing: String, how: String },
}

/// The definition `symbol` names among `sites`, in a file whose stem is `stem`.
pub(super) fn find<'a>(sites: &'a [Site], symbol: &str, stem: &str) -> Result<&'a Site, LookupError> {
    let (wanted, line) = normalize(symbol);
    if wanted.is_empty() {
        return Err(LookupError::Empty);
    }
    let replaceable: Vec<&Site> =
        sites.iter().filter(|s| !matches!(s.def.kind, DefKind::Impl | DefKind::Module)).collect();
    if replaceable.is_empty() {
        return Err(LookupError::NoDefinitions);
    }
    // As written; without a leading module name (`dates.parse_date` in dates.py); in any case.
    let module = stem.to_string() + ".";
    let without_module = wanted.strip_prefix(&module).filter(|rest| !rest.is_empty());
    let tries = [Some((wanted.as_str(), false)), without_module.map(|w| (w, false)), Some((wanted.as_str(), true))];
    for (name, any_case) in tries.into_iter().flatten() {
        let found: Vec<&Site> = replaceable.iter().copied().filter(|s| names(s, name, any_case)).collect();
        let found = match line {
            Some(line) => at_line(found, line),
            None => found,
        };
        match found.as_slice() {
            [] => continue,
            [one] => return Ok(one),
            many => return pick(many, name, symbol),
        }
    }
    Err(not_found(&replaceable, &wanted, symbol))
}

/// `symbol` as a name to look for, and the line it was given with: backticks, a call's
/// parentheses, keywords (`def f`), `::` and Go's `(*T).M` are taken off.
fn normalize(symbol: &str) -> (String, Option<usize>) {
    let mut s = symbol.trim().trim_matches('`').trim();
    let mut line = None;
    if let Some((head, tail)) = s.rsplit_once(':')
        && !tail.is_empty()
        && tail.chars().all(|c| c.is_ascii_digit())
        && !head.ends_with(':')
    {
        line = tail.parse().ok();
        s = head;
    }
    let s = if s.starts_with('(') {
        s.replace(['(', ')', '*', '&'], "")
    } else {
        s.split('(').next().unwrap_or_default().to_string()
    };
    let last = s.split_whitespace().next_back().unwrap_or_default().replace("::", ".");
    // `dates.py:parse_date` names the file too.
    let last = last.rsplit(':').next().unwrap_or_default();
    (last.trim_matches('.').to_string(), line)
}

/// The names a site answers to: its qualified name, and a Go method's `Type.Method`.
pub(super) fn display_name(site: &Site) -> String {
    match &site.receiver {
        Some(receiver) => format!("{receiver}.{}", site.def.name),
        None => site.def.qualified.clone(),
    }
}

fn names(site: &Site, wanted: &str, any_case: bool) -> bool {
    let matches = |name: &str| {
        let (name, wanted) = if any_case {
            (name.to_lowercase(), wanted.to_lowercase())
        } else {
            (name.to_string(), wanted.to_string())
        };
        name == wanted || name.ends_with(&format!(".{wanted}"))
    };
    matches(&site.def.qualified) || site.receiver.is_some() && matches(&display_name(site))
}

/// The sites that start at `line`; else the innermost one that holds it.
fn at_line(found: Vec<&Site>, line: usize) -> Vec<&Site> {
    let starting: Vec<&Site> =
        found.iter().copied().filter(|s| [s.first_line, s.def.start_line, s.head_line].contains(&line)).collect();
    if !starting.is_empty() {
        return starting;
    }
    let holding = found.into_iter().filter(|s| s.first_line <= line && line <= s.def.end_line);
    holding.min_by_key(|s| s.def.end_line - s.def.start_line).into_iter().collect()
}

/// Of several sites, the one whose qualified name is exactly the name asked for, when the
/// name was qualified (`A.run` beside `Outer.A.run`); else the question goes back.
fn pick<'a>(many: &[&'a Site], name: &str, symbol: &str) -> Result<&'a Site, LookupError> {
    let exact: Vec<&&Site> = many.iter().filter(|s| display_name(s) == name).collect();
    if name.contains('.')
        && let [one] = exact.as_slice()
    {
        return Ok(one);
    }
    let listing: Vec<String> = many.iter().map(|s| describe(s)).collect();
    let first = many.first().map(|s| display_name(s)).unwrap_or_default();
    let shared = many.iter().all(|s| display_name(s) == first);
    let how = if shared {
        let line = many.first().map(|s| s.def.start_line).unwrap_or_default();
        format!("the name and the line the one you mean starts on (e.g. `{first}:{line}`)")
    } else {
        let example = many.iter().map(|s| display_name(s)).find(|n| n.contains('.')).unwrap_or(first);
        format!("the qualified name of the one you mean (e.g. `{example}`)")
    };
    Err(LookupError::Ambiguous {
        symbol: symbol.trim().to_string(),
        count: many.len(),
        listing: listing.join("\n"),
        how,
    })
}

/// The answer when nothing is named `wanted`: the file's definitions, those most like it
/// first when there are more than [`LISTED`], shown in file order.
fn not_found(sites: &[&Site], wanted: &str, symbol: &str) -> LookupError {
    let short = wanted.rsplit('.').next().unwrap_or(wanted).to_lowercase();
    let likeness = |s: &Site| {
        let name = s.def.name.to_lowercase();
        if name == short {
            0
        } else if name.contains(&short) || short.contains(&name) {
            1
        } else {
            2
        }
    };
    let mut chosen: Vec<&Site> = sites.to_vec();
    chosen.sort_by_key(|s| (likeness(s), s.def.start_line));
    chosen.truncate(LISTED);
    chosen.sort_by_key(|s| s.def.start_line);
    let mut listing = String::from("Its definitions:\n");
    for s in &chosen {
        let _ = writeln!(listing, "{}", describe(s));
    }
    if sites.len() > chosen.len() {
        let _ = writeln!(listing, "  … and {} more", sites.len() - chosen.len());
    }
    let short = wanted.rsplit('.').next().unwrap_or(wanted).to_string();
    LookupError::NotFound { symbol: symbol.trim().to_string(), short, listing: listing.trim_end().to_string() }
}

/// `  Request.send  (method, lines 12-30)`.
pub(super) fn describe(site: &Site) -> String {
    format!("  {}  ({}, lines {}-{})", display_name(site), kind(site), site.first_line, site.def.end_line)
}

/// What a site is: a Go function with a receiver is a method.
pub(super) fn kind(site: &Site) -> &'static str {
    if site.receiver.is_some() { "method" } else { site.def.kind.name() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wright_grammar::Lang;

    fn sites(lang: Lang, src: &str) -> Vec<Site> {
        wright_grammar::sites(lang, src).unwrap()
    }

    #[test]
    fn symbols_are_read_the_ways_models_write_them() {
        assert_eq!(normalize(" `Parser.parse` "), ("Parser.parse".into(), None));
        assert_eq!(normalize("def parse_date(text)"), ("parse_date".into(), None));
        assert_eq!(normalize("ns::W::m:42"), ("ns.W.m".into(), Some(42)));
        assert_eq!(normalize("(*Stack).Push"), ("Stack.Push".into(), None));
        assert_eq!(normalize("pub fn area()"), ("area".into(), None));
        assert_eq!(normalize("dates.py:parse_date"), ("parse_date".into(), None));
        assert_eq!(normalize("  "), (String::new(), None));
    }

    #[test]
    fn qualified_bare_module_qualified_and_any_case_names_are_found() {
        let src = "class A:\n    def run(self):\n        pass\n\nclass B:\n    def stop(self):\n        pass\n";
        let all = sites(Lang::Python, src);
        assert_eq!(find(&all, "A.run", "m").unwrap().def.qualified, "A.run");
        assert_eq!(find(&all, "stop", "m").unwrap().def.qualified, "B.stop");
        assert_eq!(find(&all, "m.B", "m").unwrap().def.qualified, "B");
        assert_eq!(find(&all, "a.RUN", "m").unwrap().def.qualified, "A.run");
        assert_eq!(find(&all, "", "m"), Err(LookupError::Empty));
    }

    #[test]
    fn a_name_found_nowhere_lists_the_nearest_definitions() {
        let mut src = String::from("def parse_date(text):\n    pass\n");
        for i in 0..40 {
            src.push_str(&format!("def helper_{i}():\n    pass\n"));
        }
        let all = sites(Lang::Python, &src);
        let err = find(&all, "parse_dates", "m").unwrap_err().to_string();
        assert!(err.starts_with("no function, method or class named `parse_dates` in this file."), "{err}");
        assert!(err.contains("  parse_date  (function, lines 1-2)\n"), "the likest is listed: {err}");
        assert!(err.contains("… and 11 more"), "{err}");
        assert!(err.contains("search for `parse_dates`"), "{err}");
        assert_eq!(err.matches("(function, lines").count(), LISTED, "{err}");
    }

    #[test]
    fn overloads_are_told_apart_by_line() {
        let src = "class A {\n  void m(int x) {}\n  void m(String s) {}\n}\n";
        let all = sites(Lang::Java, src);
        let err = find(&all, "A.m", "A").unwrap_err().to_string();
        assert!(err.contains("`A.m` names 2 definitions"), "{err}");
        assert!(err.contains("the name and the line the one you mean starts on (e.g. `A.m:2`)"), "{err}");
        assert_eq!(find(&all, "A.m:3", "A").unwrap().def.start_line, 3);
    }

    #[test]
    fn go_methods_answer_to_their_receiver() {
        let src = "package p\n\nfunc (s *Stack) Push(v int) {}\nfunc (q *Queue) Push(v int) {}\n";
        let all = sites(Lang::Go, src);
        assert_eq!(find(&all, "Queue.Push", "p").unwrap().def.start_line, 4);
        let err = find(&all, "Push", "p").unwrap_err().to_string();
        assert!(err.contains("  Stack.Push  (method, lines 3-3)\n  Queue.Push  (method, lines 4-4)\n"), "{err}");
        assert!(err.contains("the qualified name of the one you mean (e.g. `Stack.Push`)"), "{err}");
    }
}
