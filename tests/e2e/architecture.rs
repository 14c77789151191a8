//! The workspace's shape, checked from its sources: no module of any crate depends on
//! itself through others, the README's crate graph is the one the manifests declare, the
//! agent crate knows tools by what they declare, not by name lists, and a setting's
//! default is stated once, where the settings are declared.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn crate_dirs() -> Vec<PathBuf> {
    let root = workspace();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("crates")).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.extend(["tools", "sandbox", "evals"].map(|d| root.join(d)));
    dirs.sort();
    dirs
}

/// A source file's module path: `src/a/b.rs` and `src/a/b/mod.rs` are `a::b`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code that builds the crate: comments and inline test modules left out.
fn production_code(text: &str) -> String {
    let mut kept = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") && lines.peek().is_some_and(|l| l.trim_start().starts_with("mod ")) {
            // `mod tests;`: its file is left out by name (see `test_file`).
            if lines.peek().is_some_and(|l| l.trim_end().ends_with(';')) {
                lines.next();
                continue;
            }
            // Skips the module's block, braces counted.
            let mut depth = 0i32;
            for inner in lines.by_ref() {
                depth += inner.matches('{').count() as i32 - inner.matches('}').count() as i32;
                if depth <= 0 && inner.contains('}') {
                    break;
                }
            }
            continue;
        }
        if !trimmed.starts_with("//") {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

/// Every path written after `crate::` or `super::` (groups `{a, b::c}` expanded), with
/// the number of `super`s it climbs (`None` for `crate`).
fn paths_in(code: &str) -> Vec<(Option<usize>, Vec<String>)> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !code.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let rest = &code[i..];
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let (up, len) = if boundary && rest.starts_with("crate::") {
            (None, 7)
        } else if boundary && rest.starts_with("super::") {
            let mut ups = 0;
            let mut at = 0;
            while code[i + at..].starts_with("super::") {
                ups += 1;
                at += 7;
            }
            (Some(ups), at)
        } else {
            i += 1;
            continue;
        };
        let (paths, used) = parse_tree(&code[i + len..]);
        found.extend(paths.into_iter().map(|p| (up, p)));
        i += len + used.max(1);
    }
    found
}

/// Parses `a::b::{c, d::e}` into its paths; returns them and the bytes read.
fn parse_tree(text: &str) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    let mut at = 0;
    loop {
        let ident: String =
            text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '*').collect();
        if ident.is_empty() {
            if text[at..].starts_with('{') {
                let mut paths = Vec::new();
                at += 1;
                loop {
                    let inner = text[at..].trim_start();
                    at = text.len() - inner.len();
                    if inner.starts_with('}') || inner.is_empty() {
                        return (paths, at + 1);
                    }
                    let (sub, used) = parse_tree(inner);
                    paths.extend(sub.into_iter().map(|s| prefix.iter().cloned().chain(s).collect()));
                    at += used;
                    let next = text[at..].trim_start();
                    at = text.len() - next.len();
                    if next.starts_with(',') {
                        at += 1;
                    }
                }
            }
            return (vec![prefix], at);
        }
        at += ident.len();
        prefix.push(ident);
        if text[at..].starts_with("::") {
            at += 2;
        } else {
            // `self` names what came before; a rename is kept as a last `as:name`.
            prefix.retain(|p| p != "self");
            let rest = text[at..].trim_start();
            if let Some(alias) = rest.strip_prefix("as ") {
                let alias = alias.trim_start();
                let name: String = alias.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                at = text.len() - alias.len() + name.len();
                prefix.push(format!("as:{name}"));
            }
            return (vec![prefix], at);
        }
    }
}

struct CrateGraph {
    /// Module path → the modules it uses.
    edges: BTreeMap<String, BTreeSet<String>>,
}

/// Every `pub use` and `pub(crate) use` statement of `code`, whole (they may span lines).
fn reexport_statements(code: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = ["pub use ", "pub(crate) use "].iter().filter_map(|k| rest.find(k).map(|i| (i, k.len()))).min()
    {
        let (start, len) = at;
        let body = &rest[start + len..];
        let end = body.find(';').unwrap_or(body.len());
        found.push(&body[..end]);
        rest = &body[end..];
    }
    found
}

fn crate_graph(src: &Path) -> CrateGraph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let codes: Vec<(Vec<String>, String)> =
        files.iter().map(|f| (module_of(src, f), production_code(&std::fs::read_to_string(f).unwrap()))).collect();
    // A name a module re-exports from below it (`pub use events::{Event, ..}`) belongs to
    // the module it comes from: (module, name) → that module.
    let longest = |path: &[String]| (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains(p));
    let mut reexports: BTreeMap<(Vec<String>, String), Vec<String>> = BTreeMap::new();
    for (here, code) in &codes {
        for statement in reexport_statements(code) {
            for path in parse_tree(statement.trim()).0 {
                let alias = path.last().and_then(|l| l.strip_prefix("as:")).map(str::to_string);
                let path: Vec<String> = path.into_iter().filter(|p| !p.starts_with("as:")).collect();
                let full: Vec<String> = match path.first().map(String::as_str) {
                    Some("crate") => path[1..].to_vec(),
                    _ => here.iter().cloned().chain(path.iter().cloned()).collect(),
                };
                let (Some(from), Some(name)) = (longest(&full), alias.or_else(|| full.last().cloned())) else {
                    continue;
                };
                if from.len() > here.len() {
                    reexports.insert((here.clone(), name), from);
                }
            }
        }
    }
    let resolve = |full: &[String]| -> Option<Vec<String>> {
        let mut target = longest(full)?;
        // Through re-exports, down to where the name is defined.
        while let Some(name) = full.get(target.len()) {
            match reexports.get(&(target.clone(), name.clone())) {
                Some(from) if from.len() > target.len() => target = from.clone(),
                _ => break,
            }
        }
        Some(target)
    };
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (here, code) in &codes {
        if here.is_empty() {
            continue;
        }
        for (up, path) in paths_in(code) {
            let mut full = match up {
                None => Vec::new(),
                Some(n) => here[..here.len().saturating_sub(n)].to_vec(),
            };
            full.extend(path.into_iter().filter(|p| !p.starts_with("as:")));
            // A module and its ancestors are tied by `mod` anyway: only other modules count.
            if let Some(target) = resolve(&full).filter(|t| !t.is_empty() && *t != *here && !here.starts_with(t)) {
                edges.entry(here.join("::")).or_default().insert(target.join("::"));
            }
        }
    }
    CrateGraph { edges }
}

/// The graph with every module folded into its top-level module.
fn top_level(graph: &CrateGraph) -> CrateGraph {
    let top = |m: &str| m.split("::").next().unwrap_or(m).to_string();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in &graph.edges {
        for to in tos.iter().filter(|to| top(to) != top(from)) {
            edges.entry(top(from)).or_default().insert(top(to));
        }
    }
    CrateGraph { edges }
}

/// A cycle through `start`, if there is one.
fn cycle_from(graph: &CrateGraph, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.edges.get(&node).into_iter().flatten() {
            if next == start {
                return Some(path.iter().cloned().chain([start.to_string()]).collect());
            }
            if seen.insert(next.clone()) {
                stack.push((next.clone(), path.iter().cloned().chain([next.clone()]).collect()));
            }
        }
    }
    None
}

fn cycles(graph: &CrateGraph) -> Vec<String> {
    graph.edges.keys().filter_map(|m| cycle_from(graph, m)).map(|c| c.join(" → ")).collect()
}

#[test]
fn no_crate_has_a_module_cycle() {
    let mut found = Vec::new();
    let mut modules = 0;
    for dir in crate_dirs() {
        let graph = crate_graph(&dir.join("src"));
        modules += graph.edges.len();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut seen = BTreeSet::new();
        for cycle in cycles(&graph).into_iter().chain(cycles(&top_level(&graph))) {
            if seen.insert(cycle.clone()) {
                found.push(format!("{name}: {cycle}"));
            }
        }
    }
    assert!(modules > 40, "the module graph looks empty ({modules} modules with imports)");
    assert!(found.is_empty(), "module cycles:\n{}", found.join("\n"));
}

#[test]
fn the_checker_sees_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("b")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\npub use a::{\n    Other,\n    Thing as Renamed,\n};\n")
        .unwrap();
    std::fs::write(src.join("a.rs"), "use crate::b::{inner::{X, Y}};\npub struct Thing;\n").unwrap();
    std::fs::write(
        src.join("b/mod.rs"),
        "mod inner;\n#[cfg(test)]\nmod tests {\n    use crate::a::Other;\n}\nfn f() -> crate::Renamed { todo!() }\n",
    )
    .unwrap();
    std::fs::write(
        src.join("b/inner.rs"),
        "// crate::a::Thing is only mentioned\n#[cfg(test)]\nmod tests {\n    use crate::a::Other;\n}\npub struct X;\n",
    )
    .unwrap();
    let graph = crate_graph(src);
    assert_eq!(graph.edges["a"], BTreeSet::from(["b::inner".to_string()]));
    assert_eq!(graph.edges["b"], BTreeSet::from(["a".to_string()]));
    assert!(!graph.edges.contains_key("b::inner"), "comments and test modules are not dependencies");
    assert!(cycles(&graph).is_empty(), "a → b::inner and b → a meet only as top-level modules");
    assert_eq!(cycles(&top_level(&graph)), ["a → b → a", "b → a → b"]);
}

/// The README's "Dependencies" lines: "- `wright-agent` → `wright-git`, `wright-llm`".
fn readme_graph() -> BTreeMap<String, BTreeSet<String>> {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    // Odd pieces between backticks are the quoted names.
    let names = |text: &str| -> Vec<String> {
        text.split('`').skip(1).step_by(2).filter(|n| n.starts_with("wright")).map(str::to_string).collect()
    };
    let mut graph = BTreeMap::new();
    for line in readme.lines().filter(|l| l.starts_with("- `wright") && l.contains('→')) {
        let (from, to) = line.split_once('→').unwrap();
        let to = if to.trim() == "nothing" { BTreeSet::new() } else { names(to).into_iter().collect() };
        graph.insert(names(from).remove(0), to);
    }
    graph
}

fn manifest_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for dir in crate_dirs() {
        let manifest: toml::Table = toml::from_str(&std::fs::read_to_string(dir.join("Cargo.toml")).unwrap()).unwrap();
        let name = manifest["package"]["name"].as_str().unwrap().to_string();
        let deps = manifest.get("dependencies").and_then(|d| d.as_table()).cloned().unwrap_or_default();
        let on: BTreeSet<String> = deps.keys().filter(|k| k.starts_with("wright")).cloned().collect();
        graph.insert(name, on);
    }
    graph
}

#[test]
fn the_readme_states_the_crate_graph() {
    assert_eq!(readme_graph(), manifest_graph(), "README.md's Architecture section and the manifests disagree");
}

/// A file that holds only tests: `tests.rs`, or anything under a `tests` directory.
fn test_file(file: &Path) -> bool {
    file.file_stem().is_some_and(|s| s == "tests") || file.iter().any(|p| p == "tests")
}

/// The string literals of `code` (plain, byte and raw), as written; comments, character
/// literals and lifetimes are stepped over.
fn string_literals(code: &str) -> Vec<String> {
    split_literals(code).0
}

/// `code`'s string literals, and the code outside them, comments and character literals.
fn split_literals(code: &str) -> (Vec<String>, String) {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut outside = String::new();
    let mut i = 0;
    while i < chars.len() {
        let rest = |at: usize| chars.get(at).copied().unwrap_or('\0');
        let word_before = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        match chars[i] {
            '/' if rest(i + 1) == '/' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if rest(i + 1) == '*' => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && rest(i + 1) == '/') {
                    i += 1;
                }
                i += 2;
            }
            '\'' => {
                // `'x'` or `'\n'` is a character; `'a` alone is a lifetime.
                if rest(i + 1) == '\\' {
                    i += 2;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if rest(i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            'r' | 'b' if !word_before && (rest(i + 1) == '"' || rest(i + 1) == '#' || rest(i + 1) == 'r') => {
                let mut at = i + 1;
                if chars[i] == 'b' && rest(at) == 'r' {
                    at += 1;
                }
                let raw = chars[i] == 'r' || rest(i + 1) == 'r';
                let hashes = chars[at..].iter().take_while(|c| **c == '#').count();
                if rest(at + hashes) != '"' || (!raw && hashes > 0) {
                    outside.push(chars[i]);
                    i += 1;
                    continue;
                }
                let start = at + hashes + 1;
                let mut end = start;
                if raw {
                    let close: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                    while end < chars.len() && !chars[end..].starts_with(&close) {
                        end += 1;
                    }
                    found.push(chars[start..end.min(chars.len())].iter().collect());
                    i = end + close.len();
                } else {
                    i = start - 1;
                }
            }
            '"' => {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && chars[end] != '"' {
                    end += if chars[end] == '\\' { 2 } else { 1 };
                }
                found.push(chars[start..end.min(chars.len())].iter().collect());
                outside.push_str("\"\"");
                i = end + 1;
            }
            c => {
                outside.push(c);
                i += 1;
            }
        }
    }
    (found, outside)
}

/// The one module of the agent crate that names tools: those the loop answers itself.
const NAMES_MODULE: &str = "tool_names.rs";

/// Literals that are a tool's name but mean something else, by file: each with its reason.
const NOT_TOOL_NAMES: &[(&str, &str, &str)] = &[("verdict.rs", "run", "the verb of \"no longer run\"")];

/// `(file, literal)` for each literal in the production code under `src` that equals one
/// of `names`, outside `allowed` and test files.
fn tool_name_literals(src: &Path, names: &BTreeSet<String>, allowed: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !test_file(f.strip_prefix(src).unwrap())) {
        let rel = file.strip_prefix(src).unwrap().to_string_lossy().into_owned();
        if rel == allowed {
            continue;
        }
        let code = production_code(&std::fs::read_to_string(file).unwrap());
        for literal in string_literals(&code).into_iter().filter(|l| names.contains(l)) {
            found.push((rel.clone(), literal));
        }
    }
    found.sort();
    found
}

#[test]
fn the_agent_crate_names_no_tool_but_its_own() {
    let src = workspace().join("crates/wright-agent/src");
    let own = string_literals(&std::fs::read_to_string(src.join(NAMES_MODULE)).unwrap());
    assert_eq!(own, ["update_plan", "finish"], "{NAMES_MODULE} holds the names the loop answers itself");
    let mut names: BTreeSet<String> =
        wright_tools::Toolbox::builtin().specs().into_iter().map(|s| s.name.into_owned()).collect();
    assert!(names.len() >= 7, "the built-in tools: {names:?}");
    names.extend(own);
    let found = tool_name_literals(&src, &names, NAMES_MODULE);
    let words: Vec<(String, String)> =
        NOT_TOOL_NAMES.iter().map(|(file, word, _)| (file.to_string(), word.to_string())).collect();
    let lists: Vec<String> =
        found.iter().filter(|f| !words.contains(f)).map(|(file, name)| format!("{file}: \"{name}\"")).collect();
    assert!(
        lists.is_empty(),
        "the agent crate names tools outside {NAMES_MODULE}; declare the fact on the tool (wright_tools::ToolFacts) \
         instead:\n{}",
        lists.join("\n")
    );
    let stale: Vec<&(String, String)> = words.iter().filter(|w| !found.contains(w)).collect();
    assert!(stale.is_empty(), "NOT_TOOL_NAMES lists words no longer there: {stale:?}");
}

#[test]
fn the_checker_sees_a_tool_name() {
    let code = "let a = \"edit\"; // \"run\" in a comment\n/* \"run\" */ let b = r#\"x \"q\" y\"#;\n\
                let c = '\"'; let d: &'static str = \"say \\\"hi\\\"\"; let e = br\"raw\"; let f = b\"by\";\n\
                fn g<'a>(x: &'a str) -> bool { x == \"search\" || x.ends_with(\"read_file is longer\") }";
    assert_eq!(
        string_literals(code),
        ["edit", "x \"q\" y", "say \\\"hi\\\"", "raw", "by", "search", "read_file is longer"]
    );
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("model")).unwrap();
    std::fs::write(src.join("names.rs"), "pub const FINISH: &str = \"finish\";\n").unwrap();
    std::fs::write(
        src.join("model.rs"),
        "fn nudge(n: &str) -> bool {\n    ![\"finish\", \"git_diff\"].contains(&n)\n}\n#[cfg(test)]\nmod tests;\nfn after() -> &'static str {\n    \"search\"\n}\n",
    )
    .unwrap();
    std::fs::write(src.join("model/tests.rs"), "const T: &str = \"git_diff\";\n").unwrap();
    std::fs::write(
        src.join("seen.rs"),
        "// \"read_file\" is only mentioned\nfn f() -> &'static str { \"use read_file first\" }\n#[cfg(test)]\nmod tests {\n    const T: &str = \"read_file\";\n}\n",
    )
    .unwrap();
    let names: BTreeSet<String> = ["finish", "git_diff", "read_file", "search"].map(String::from).into();
    let found = tool_name_literals(src, &names, "names.rs");
    let expected = [("model.rs", "finish"), ("model.rs", "git_diff"), ("model.rs", "search")];
    assert_eq!(found, expected.map(|(f, n)| (f.to_string(), n.to_string())));
}

/// The settings as the binary states them, from the golden `wright config` output with
/// nothing set (config_golden pins it to the binary): every key, set or unset, and each
/// default as printed (`2048`, `"wright"`).
fn settings_and_defaults() -> (BTreeSet<String>, Vec<(String, String)>) {
    let text = std::fs::read_to_string(workspace().join("tests/e2e/golden/config_defaults.txt")).unwrap();
    let mut keys = BTreeSet::new();
    let mut defaults = Vec::new();
    for line in text.lines() {
        if let Some((key, _)) = line.strip_prefix("# ").and_then(|l| l.split_once(" unset    # ")) {
            keys.insert(key.to_string());
        } else if let Some((key, value)) = line.split_once("    # default;").and_then(|(s, _)| s.split_once(" = ")) {
            keys.insert(key.to_string());
            defaults.push((key.to_string(), value.to_string()));
        }
    }
    (keys, defaults)
}

/// An integer literal's value: `16_000` and `16000u64` are 16000.
fn int_value(text: &str) -> Option<u64> {
    let digits: String = text.chars().take_while(|c| c.is_ascii_digit() || *c == '_').filter(|c| *c != '_').collect();
    digits.parse().ok()
}

/// The integer literals of code outside strings and comments (floats left out).
fn int_literals(outside: &str) -> Vec<u64> {
    let chars: Vec<char> = outside.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let before = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_' || chars[i - 1] == '.');
        if !chars[i].is_ascii_digit() || before {
            i += 1;
            continue;
        }
        let end = (i..chars.len()).find(|&j| !(chars[j].is_alphanumeric() || chars[j] == '_')).unwrap_or(chars.len());
        let float = chars.get(end) == Some(&'.') && chars.get(end + 1).is_some_and(char::is_ascii_digit);
        if !float && let Some(v) = int_value(&chars[i..end].iter().collect::<String>()) {
            found.push(v);
        }
        i = end;
    }
    found
}

/// The bodies of the `impl Default for ..` blocks of `code`.
fn default_impls(code: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("impl Default for ") {
        let Some(open) = code[at..].find('{').map(|o| at + o) else { continue };
        let mut depth = 0;
        let close = code[open..].char_indices().find_map(|(i, c)| {
            depth += match c {
                '{' => 1,
                '}' => -1,
                _ => 0,
            };
            (depth == 0).then_some(open + i)
        });
        found.push(&code[open..close.unwrap_or(code.len())]);
    }
    found
}

/// The arguments of `.unwrap_or(..)` and `.unwrap_or_else(|| ..)` in `code`, trimmed.
fn fallbacks(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, call) in code.match_indices(".unwrap_or") {
        let rest = &code[at + call.len()..];
        let arg = match (rest.strip_prefix('('), rest.strip_prefix("_else(")) {
            (Some(arg), _) => arg,
            (_, Some(arg)) => arg.trim_start().strip_prefix("||").unwrap_or(arg),
            _ => continue,
        };
        let arg = arg.trim_start();
        // Up to the call's closing parenthesis, or a string's closing quote.
        let end = match arg.strip_prefix('"') {
            Some(s) => s.find('"').map_or(arg.len(), |e| e + 2),
            None => arg.find([')', ',', '.']).unwrap_or(arg.len()),
        };
        found.push(arg[..end].trim().to_string());
    }
    found
}

/// Where `src`'s production code (outside the `home` directory and test files) restates the
/// settings: a key spelled as a string (when `keys` are given), a default used as a
/// fallback, an integer literal equal to a default of 100 or more, or one equal to any
/// default in an `impl Default`. Each as `(file, what)`.
fn settings_restated(
    src: &Path,
    home: Option<&str>,
    keys: Option<&BTreeSet<String>>,
    defaults: &[(String, String)],
) -> Vec<(String, String)> {
    let numbers: BTreeSet<u64> = defaults.iter().filter_map(|(_, v)| v.parse().ok()).collect();
    let strings: BTreeSet<&str> = defaults.iter().filter_map(|(_, v)| v.strip_prefix('"')?.strip_suffix('"')).collect();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut found = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(src).unwrap();
        if test_file(rel) || home.is_some_and(|h| rel.starts_with(h)) {
            continue;
        }
        let rel = rel.to_string_lossy().into_owned();
        let code = production_code(&std::fs::read_to_string(file).unwrap());
        let (literals, outside) = split_literals(&code);
        for key in literals.iter().filter(|l| keys.is_some_and(|k| k.contains(l.as_str()))) {
            found.push((rel.clone(), format!("the key \"{key}\"")));
        }
        for arg in fallbacks(&code) {
            let default = match arg.strip_prefix('"') {
                Some(s) => strings.contains(s.trim_end_matches('"')),
                None => {
                    arg.starts_with(|c: char| c.is_ascii_digit())
                        && int_value(&arg).is_some_and(|v| numbers.contains(&v))
                }
            };
            if default {
                found.push((rel.clone(), format!("unwrap_or({arg})")));
            }
        }
        for v in int_literals(&outside).into_iter().filter(|v| *v >= 100 && numbers.contains(v)) {
            found.push((rel.clone(), v.to_string()));
        }
        // A second set of defaults: any default, however small, in an `impl Default`.
        for block in default_impls(&outside) {
            for v in int_literals(block).into_iter().filter(|v| numbers.contains(v)) {
                found.push((rel.clone(), format!("{v} in an impl Default")));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Literals equal to a setting's key or default that mean something else, by file: each
/// with its reason. (The agent crate is not checked for keys: it names its own stop
/// reasons `max_steps` and `token_budget`.)
const NOT_SETTINGS_DEFAULTS: &[(&str, &str, &str)] = &[
    ("cli.rs", "600", "`sandbox run --timeout`: one command's limit, not a setting"),
    ("github/mod.rs", "120", "the bot's push: its own time limit, not git.timeout_secs"),
    ("run_cmd.rs", "the key \"context_tokens\"", "the compact-prompt notice names the setting it read"),
    ("commit_writer.rs", "1500", "characters of the task a commit-message request carries"),
    ("committing.rs", "120", "time limit of one commit-message request"),
    ("profile.rs", "1024", "32 KiB: the context at which the compact prompt starts"),
    ("prompt.rs", "1024", "16 KiB: the most of one AGENTS.md the model sees"),
    ("attempts.rs", "600", "characters of an attempt's failing test output told to the next attempt"),
];

#[test]
fn a_settings_default_is_stated_once() {
    let (keys, defaults) = settings_and_defaults();
    assert!(keys.len() >= 40 && defaults.len() >= 30, "the settings: {keys:?} {defaults:?}");
    let mut found = settings_restated(&workspace().join("crates/wright/src"), Some("config"), Some(&keys), &defaults);
    found.extend(settings_restated(&workspace().join("crates/wright-agent/src"), None, None, &defaults));
    let words: Vec<(String, String)> =
        NOT_SETTINGS_DEFAULTS.iter().map(|(file, word, _)| (file.to_string(), word.to_string())).collect();
    let restated: Vec<String> =
        found.iter().filter(|f| !words.contains(f)).map(|(file, what)| format!("{file}: {what}")).collect();
    assert!(
        restated.is_empty(),
        "settings are read by key or their defaults restated outside crates/wright/src/config; read the typed \
         `config::Settings` instead, whose `impl Default` is the one place for defaults:\n{}",
        restated.join("\n")
    );
    let stale: Vec<&(String, String)> = words.iter().filter(|w| !found.contains(w)).collect();
    assert!(stale.is_empty(), "NOT_SETTINGS_DEFAULTS lists literals no longer there: {stale:?}");
}

#[test]
fn the_checker_sees_a_restated_setting() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("config")).unwrap();
    std::fs::write(src.join("config/settings.rs"), "fn d() -> u64 { 16_000 }\nconst K: &str = \"max_steps\";\n")
        .unwrap();
    std::fs::write(
        src.join("run.rs"),
        "fn f(c: &C) -> u64 {\n    c.int(\"max_steps\").unwrap_or(50) + c.int(\"x\").unwrap_or(7)\n}\n\
         fn g(c: &C) -> String { c.str(\"label\").unwrap_or_else(|| \"wright\".into()) }\n\
         fn h() -> Duration { Duration::from_secs(900) }\n\
         impl Default for Budgets {\n    fn default() -> Self {\n        Budgets { max_steps: 50, tries: 3 }\n    }\n}\n\
         // 16000 in a comment\nfn m() -> &'static str { \"took 900 s\" }\nfn n() -> f64 { 900.5 }\n\
         #[cfg(test)]\nmod tests {\n    const T: u64 = 16_000;\n}\n",
    )
    .unwrap();
    let keys: BTreeSet<String> = ["max_steps".to_string()].into();
    let defaults = [
        ("max_steps", "50"),
        ("github.trigger_label", "\"wright\""),
        ("test_timeout_secs", "900"),
        ("tool_output_chars", "16000"),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()));
    let found = settings_restated(src, Some("config"), Some(&keys), &defaults);
    let expected = [
        ("run.rs", "50 in an impl Default"),
        ("run.rs", "900"),
        ("run.rs", "the key \"max_steps\""),
        ("run.rs", "unwrap_or(\"wright\")"),
        ("run.rs", "unwrap_or(50)"),
    ];
    assert_eq!(found, expected.map(|(f, w)| (f.to_string(), w.to_string())));
    assert!(settings_restated(src, Some("config"), None, &defaults).iter().all(|(_, w)| !w.starts_with("the key")));
}
