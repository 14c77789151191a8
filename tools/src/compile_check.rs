//! The syntax guard's second half: after tree-sitter, a changed file is checked by its
//! language's own front end where one is at hand (CPython's compiler, `node --check`,
//! `gofmt -e`), which catches what tree-sitter forgives (an over-indented Python line).
//! The checker only parses, never runs the code, and it runs in the sandbox on a copy in
//! a scratch directory. Only an error the file did not have before refuses the edit.

use std::path::Path;
use std::time::Duration;

use wright_sandbox::{Backend, Program, RunSpec};

use crate::{RunLimits, ToolError};

/// Prints `file:line: Error: message` for the first syntax error and exits 1; exits 3
/// when it cannot say (any other exception). Run with `-I -S`: nothing next to the copy,
/// and no site module, is imported.
const PYTHON: &str = "import sys\n\
try:\n    compile(open(sys.argv[1], 'rb').read(), sys.argv[2], 'exec', dont_inherit=True)\n\
except (SyntaxError, ValueError) as e:\n    print(f\"{sys.argv[2]}:{getattr(e, 'lineno', None) or '?'}: {type(e).__name__}: {getattr(e, 'msg', e)}\")\n    sys.exit(1)\n\
except BaseException:\n    sys.exit(3)\n";

/// Runs the checker named by `$0` with its arguments, or exits 127 when it is not
/// installed (bubblewrap itself would exit 1 for a program it cannot find).
const WHEN_INSTALLED: &str = "command -v \"$0\" >/dev/null 2>&1 || exit 127; exec \"$0\" \"$@\"";

/// The copy's name in the scratch directory, before its extension: one no module imports.
const COPY: &str = "wright-check";

/// The checker's output lines the model sees.
const SHOWN_LINES: usize = 8;

#[derive(Clone, Copy)]
enum Checker {
    Python,
    Node,
    Go,
}

impl Checker {
    fn for_path(path: &str) -> Option<Checker> {
        match Path::new(path).extension()?.to_str()? {
            "py" => Some(Checker::Python),
            "js" | "mjs" | "cjs" => Some(Checker::Node),
            "go" => Some(Checker::Go),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Checker::Python => "python3's compiler",
            Checker::Node => "node --check",
            Checker::Go => "gofmt -e",
        }
    }

    fn argv(self, file: &str, shown: &str) -> Vec<String> {
        let args: &[&str] = match self {
            Checker::Python => &["python3", "-I", "-S", "-c", PYTHON, file, shown],
            Checker::Node => &["node", "--check", file],
            Checker::Go => &["gofmt", "-e", "-l", file],
        };
        let mut argv: Vec<String> = ["sh", "-c", WHEN_INSTALLED].map(String::from).to_vec();
        argv.extend(args.iter().map(|a| a.to_string()));
        argv
    }
}

/// Refuses `after` when the language's checker rejects it and accepted `before` (a new
/// file counts as accepted, except for JavaScript, where a new file may be JSX or Flow
/// that node cannot read). No checker for the language, none installed, a sandbox that
/// cannot run it, or a checker that cannot say: the edit passes, as tree-sitter said.
pub(crate) fn check(limits: &RunLimits, path: &str, before: Option<&str>, after: &str) -> Result<(), ToolError> {
    let Some(checker) = Checker::for_path(path) else { return Ok(()) };
    if matches!(checker, Checker::Node) && before.is_none() {
        return Ok(());
    }
    // A WASI sandbox has no python3, node or gofmt to run.
    if limits.isolation.backend == Backend::Wasm {
        return Ok(());
    }
    let Some(errors) = rejects(limits, checker, path, after) else { return Ok(()) };
    if before.is_some_and(|text| rejects(limits, checker, path, text).is_some()) {
        return Ok(());
    }
    Err(ToolError::File {
        path: path.to_string(),
        message: format!(
            "the edit leaves an error that {} reports and the file did not have; nothing was written:\n{errors}",
            checker.name()
        ),
    })
}

/// The checker's complaint about `text`, or `None` when it accepts it or cannot say.
fn rejects(limits: &RunLimits, checker: Checker, path: &str, text: &str) -> Option<String> {
    let extension = Path::new(path).extension()?.to_str()?;
    let complaint = run_checker(limits, checker, &format!("{COPY}.{extension}"), path, text)?;
    // ES module syntax in a `.js` file is fine in a package of type "module".
    let module_syntax = complaint.contains("outside a module") || complaint.contains("Unexpected token 'export'");
    if matches!(checker, Checker::Node) && module_syntax && extension == "js" {
        return run_checker(limits, checker, &format!("{COPY}.mjs"), path, text);
    }
    Some(complaint)
}

/// Runs `checker` on `text`, copied to `name` in a scratch directory; its complaint, with
/// the copy's path shown as `shown`.
fn run_checker(limits: &RunLimits, checker: Checker, name: &str, shown: &str, text: &str) -> Option<String> {
    run_argv(limits, checker.argv(name, shown), name, shown, text)
}

#[allow(clippy::disallowed_methods)] // a fresh scratch directory of wright's, not the tree
fn run_argv(limits: &RunLimits, argv: Vec<String>, name: &str, shown: &str, text: &str) -> Option<String> {
    let scratch = tempfile::Builder::new().prefix("wright-check-").tempdir().ok()?;
    std::fs::write(scratch.path().join(name), text).ok()?;
    let mut spec = RunSpec::new(Program::Argv(argv), scratch.path());
    // A check is skipped, not run, once the run's time is spent.
    spec.timeout = Some(limits.deadline.cap(Duration::from_secs(20)).0).filter(|t| !t.is_zero())?;
    spec.output_limit = 16 << 10;
    spec.isolation = limits.isolation.clone();
    spec.cancel = limits.cancel.clone();
    let out = wright_sandbox::run(&spec).ok()?;
    // 126/127: the checker is not installed or cannot start; 3: it cannot say (Python);
    // a kill says nothing either.
    match out.exit_code {
        Some(0) | Some(3) | Some(126) | Some(127) | None => return None,
        Some(_) if out.timed_out || out.cancelled || out.limit_killed.is_some() => return None,
        Some(_) => {}
    }
    let said = format!("{}\n{}", out.stdout.text, out.stderr.text);
    let lines: Vec<&str> = said.lines().filter(|l| !l.trim().is_empty()).take(SHOWN_LINES).collect();
    let scratch_copy = format!("{}/{name}", scratch.path().display());
    Some(lines.join("\n").replace(&scratch_copy, shown).replace(name, shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> RunLimits {
        let mut limits = RunLimits::default();
        // The sandbox's own tests cover bubblewrap; here the checkers are the subject.
        limits.isolation.backend = Backend::None;
        limits
    }

    const GOOD: &str = "def average(values):\n    return sum(values) / len(values)\n";

    #[test]
    fn python_rejects_what_tree_sitter_forgives() {
        let bad = "def average(values):\n    if not values:\n        return None\n        return sum(values) / len(values)\n      x = 1\n";
        let err = check(&limits(), "pkg/stats.py", Some(GOOD), bad).unwrap_err().to_string();
        assert!(err.contains("python3's compiler") && err.contains("pkg/stats.py:5: IndentationError"), "{err}");
        assert!(check(&limits(), "stats.py", Some(GOOD), GOOD).is_ok());
        assert!(check(&limits(), "stats.py", None, GOOD).is_ok(), "a new file that compiles");
        assert!(check(&limits(), "stats.py", Some(bad), bad).is_ok(), "an error the file had is not new");
        assert!(check(&limits(), "notes.txt", Some(GOOD), "  )(").is_ok(), "no checker, no opinion");
    }

    #[test]
    fn a_missing_checker_in_the_sandbox_says_nothing() {
        // The real sandbox: bubblewrap exits 1 for a program it cannot find; the wrapper
        // turns that into "not installed".
        let limits = RunLimits::default();
        let argv = ["sh", "-c", WHEN_INSTALLED, "no-such-checker-wright"].map(String::from).to_vec();
        assert_eq!(run_argv(&limits, argv, "a.py", "a.py", "x = 1\n"), None);
        let bad = "def f():\n  return 1\n    x = 2\n";
        let err = check(&limits, "a.py", None, bad).unwrap_err().to_string();
        assert!(err.contains("a.py:3: IndentationError"), "python3 runs in bubblewrap too: {err}");
    }

    #[test]
    fn the_code_is_parsed_never_run() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("ran");
        let py = format!("open({:?}, 'w').write('x')\n", marker.display().to_string());
        let js = format!("require('fs').writeFileSync({:?}, 'x')\n", marker.display().to_string());
        assert!(check(&limits(), "a.py", None, &py).is_ok());
        assert!(check(&limits(), "a.js", Some("let a = 1;\n"), &js).is_ok());
        assert!(!marker.exists());
    }

    #[test]
    fn node_and_gofmt_report_new_errors() {
        let err = check(&limits(), "src/range.js", Some("module.exports = 1;\n"), "function (\n").unwrap_err();
        assert!(err.to_string().contains("node --check") && err.to_string().contains("src/range.js"), "{err}");
        let esm = "import { x } from './x.js';\nexport const y = x;\n";
        assert!(check(&limits(), "range.js", Some("export const y = 1;\n"), esm).is_ok(), "module syntax is fine");
        let jsx = "export const App = () => <div>hi</div>;\n";
        assert!(check(&limits(), "app.js", None, jsx).is_ok(), "a new .js file may be JSX, which node cannot read");
        let go = "package main\n\nfunc main() {\n";
        let err = check(&limits(), "main.go", Some("package main\n"), go).unwrap_err().to_string();
        assert!(err.contains("gofmt -e") && err.contains("main.go:"), "{err}");
    }
}
