//! A drafted reproduction: when no test fails at the base, the first draft attempt begins
//! with one request for a new test file that shows the bug, in the style of a test file
//! the project has. wright adds and commits it, and keeps it (as the commit attempts
//! start from, and the base the verdict compares against) only when a new test in it
//! fails on the unchanged code; see `reproduce::judge`.

use std::path::Path;

use wright_index::{Index, SearchKind};
use wright_llm::Message;

use super::{Target, fenced, fill, section};
use crate::quote::quote;
use crate::verdict::is_test_file;

const PROMPT: &str = include_str!("../../prompts/draft_reproduce.md");
/// The name new test files are given, in each layout.
const STEM: &str = "wright_reproduction";
/// The longest example test file shown, in characters (its start).
const EXAMPLE_CHARS: usize = 3000;

/// Where the new test goes, and the test file it follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TestSite {
    pub path: String,
    /// An existing test file in the same language; `None`: a Rust integration test of
    /// crate `krate`.
    pub example: Option<String>,
    pub krate: Option<String>,
}

/// The site for a test of `target`: next to the test file the index ranks first for the
/// task, else the one named most like the target, in its language. A Rust crate with no
/// test file gets `tests/`. `None` when none fits or the new file exists already.
pub(crate) fn site(index: &mut Index, root: &Path, task: &str, target: &Target) -> Option<TestSite> {
    let ext = Path::new(&target.path).extension()?.to_str()?.to_string();
    let usable = |p: &str| is_test_file(p) && p.ends_with(&format!(".{ext}")) && !is_helper(p);
    let hits = index.search(task, SearchKind::Text, 50).ok()?.hits;
    let ranked = hits.iter().map(|h| h.path.clone()).find(|p| usable(p));
    let stem = Path::new(&target.path).file_stem()?.to_str()?.to_string();
    let named = || {
        index
            .paths()
            .filter(|p| usable(p))
            .max_by_key(|p| (p.contains(&stem), std::cmp::Reverse(p.len())))
            .map(str::to_string)
    };
    let exists = |p: &str| index.paths().any(|q| q == p);
    let site = match ranked.or_else(named) {
        Some(example) => TestSite { path: new_test_path(&example)?, example: Some(example), krate: None },
        None if ext == "rs" => {
            let krate = crate_name(root)?;
            TestSite { path: format!("tests/{STEM}.rs"), example: None, krate: Some(krate) }
        }
        None => return None,
    };
    (!exists(&site.path)).then_some(site)
}

/// Files in test folders that hold no tests of their own.
fn is_helper(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    matches!(file, "conftest.py" | "__init__.py" | "mod.rs" | "helpers.js" | "setup.js")
}

/// A new test file beside `example`, named as its runner finds it: `test_*.py`,
/// `*_test.go`, `*.test.js`, `*.spec.ts`, or any file in a `tests/` folder.
fn new_test_path(example: &str) -> Option<String> {
    let (dir, file) = example.rsplit_once('/').map_or(("", example), |(d, f)| (d, f));
    let name = if let Some(rest) = file.strip_prefix("test_") {
        let ext = rest.rsplit_once('.')?.1;
        format!("test_{STEM}.{ext}")
    } else if let Some((_, rest)) = file.split_once("_test.") {
        format!("{STEM}_test.{rest}")
    } else if let Some((_, rest)) = file.split_once(".test.") {
        format!("{STEM}.test.{rest}")
    } else if let Some((_, rest)) = file.split_once(".spec.") {
        format!("{STEM}.spec.{rest}")
    } else {
        let ext = file.rsplit_once('.')?.1;
        // Only a test folder makes any file a test.
        is_test_file(&format!("{dir}/x.{ext}")).then(|| format!("{STEM}.{ext}"))?
    };
    Some(if dir.is_empty() { name } else { format!("{dir}/{name}") })
}

/// The library crate's name as tests `use` it, from the root `Cargo.toml`.
fn crate_name(root: &Path) -> Option<String> {
    let read = wright_tree::read_capped(root, Path::new("Cargo.toml"), 64 << 10).ok()?;
    let text = String::from_utf8(read.bytes).ok()?;
    let package = text.split("[package]").nth(1)?;
    let line = package.lines().find(|l| l.trim_start().starts_with("name"))?;
    let name = line.split_once('=')?.1.trim().trim_matches('"');
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then(|| name.replace('-', "_"))
}

/// The request for the test file at `site`: the task (quoted), the code, and the example.
pub(crate) fn request(task: &str, target: &Target, code: &str, site: &TestSite, example: &str) -> Vec<Message> {
    let what = if target.lines.is_some() { "one definition" } else { "the whole file" };
    let lang = |p: &str| p.rsplit_once('.').map(|(_, ext)| ext.to_string()).unwrap_or_default();
    let example = match (&site.example, &site.krate) {
        (Some(path), _) => {
            let shown: String = example.chars().take(EXAMPLE_CHARS).collect();
            let code = fenced(&lang(path), &shown);
            fill(&section(PROMPT, "example"), &[("example_path", path), ("example_code", &code)])
        }
        (None, Some(krate)) => fill(&section(PROMPT, "crate"), &[("crate", krate)]),
        (None, None) => String::new(),
    };
    let user = fill(
        &section(PROMPT, "user"),
        &[
            ("task", &quote("task", task.trim())),
            ("what", what),
            ("path", &target.path),
            ("code", &fenced(&lang(&target.path), code)),
            ("example", &example),
            ("test_path", &site.path),
            ("prefix", new_name_prefix(&site.path)),
        ],
    );
    vec![Message::System { content: section(PROMPT, "system").trim().to_string() }, Message::User { content: user }]
}

/// How the new tests' names begin, in the language of `path`: a Go test file shares its
/// package with the existing ones, so a repeated name would not even build.
fn new_name_prefix(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("go") => "TestReproduction",
        Some("py") => "test_reproduction",
        Some("rs") => "reproduction_",
        _ => "reproduction",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::target::tests::indexed;

    #[test]
    fn a_new_test_file_is_named_as_its_runner_finds_it() {
        assert_eq!(new_test_path("tests/test_contacts.py").as_deref(), Some("tests/test_wright_reproduction.py"));
        assert_eq!(new_test_path("assets_test.go").as_deref(), Some("wright_reproduction_test.go"));
        assert_eq!(new_test_path("test/bytes.test.js").as_deref(), Some("test/wright_reproduction.test.js"));
        assert_eq!(new_test_path("src/a.spec.ts").as_deref(), Some("src/wright_reproduction.spec.ts"));
        assert_eq!(new_test_path("tests/hidden.rs").as_deref(), Some("tests/wright_reproduction.rs"));
        assert_eq!(new_test_path("lib.rs"), None);
    }

    #[test]
    fn the_site_follows_a_test_file_of_the_language_or_a_rust_crate() {
        let (dir, mut index) = indexed(&[
            ("contacts.py", "def read_contacts(text):\n    return text\n"),
            ("tests/conftest.py", "import sys\n"),
            (
                "tests/test_contacts.py",
                "from contacts import read_contacts\n\ndef test_plain():\n    read_contacts('a')\n",
            ),
            ("test/other.test.js", "test('x', () => {})\n"),
        ]);
        let target = Target { path: "contacts.py".into(), lines: None };
        let found = site(&mut index, &dir.path().join("tree"), "read_contacts keeps a BOM", &target).unwrap();
        assert_eq!(found.path, "tests/test_wright_reproduction.py");
        assert_eq!(found.example.as_deref(), Some("tests/test_contacts.py"));

        let (dir, mut index) = indexed(&[
            ("Cargo.toml", "[package]\nname = \"port-config\"\nversion = \"0.1.0\"\n"),
            ("src/lib.rs", "pub fn parse_port(v: &str) -> u16 { v.parse().unwrap() }\n"),
        ]);
        let target = Target { path: "src/lib.rs".into(), lines: None };
        let found = site(&mut index, &dir.path().join("tree"), "parse_port of empty", &target).unwrap();
        assert_eq!(
            (found.path.as_str(), found.krate.as_deref()),
            ("tests/wright_reproduction.rs", Some("port_config"))
        );
        let asked = request("empty port", &target, "pub fn parse_port", &found, "");
        let user = asked[1].text();
        assert!(user.contains("`port_config::name`") && user.contains("`tests/wright_reproduction.rs`"), "{user}");
    }

    #[test]
    fn the_request_shows_the_example_fenced_and_the_task_quoted() {
        let target = Target { path: "median.js".into(), lines: None };
        let site = TestSite {
            path: "test/wright_reproduction.test.js".into(),
            example: Some("test/m.test.js".into()),
            krate: None,
        };
        let asked =
            request("median([]) is NaN", &target, "function median() {}", &site, "const x = require('../median');");
        let user = asked[1].text();
        assert!(user.contains("<untrusted-data source=\"task\">\nmedian([]) is NaN\n</untrusted-data>"), "{user}");
        assert!(
            user.contains("```js\nconst x = require('../median');\n```") && user.contains("(`test/m.test.js`)"),
            "{user}"
        );
        assert!(asked[0].text().contains("write a test that shows it"));
        assert!(user.contains("a new name that starts with `reproduction`"), "{user}");
        assert_eq!(new_name_prefix("wright_reproduction_test.go"), "TestReproduction");
    }
}
