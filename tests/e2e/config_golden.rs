//! Golden `wright config` output over fixture configs: the user's file, a repository's
//! `wright.toml` (untrusted, listed in `trusted_repos`, trusted by flag), the environment
//! and flags, in text and JSON. Issue 29 refactors settings with "behaviour unchanged";
//! these files are what unchanged means, written before the refactor.
//!
//! Each scenario runs the real binary with a home of its own and compares its output
//! exactly with `tests/e2e/golden/config_<name>.{txt,json}`. Only the temp home is
//! normalized (to `$HOME`); the repository lives inside it at `$HOME/repo`.
//!
//! After a deliberate change to what `wright config` prints, rewrite the golden files with
//!
//!     WRIGHT_BLESS=1 cargo test -p wright --test e2e config_golden
//!
//! and review the diff before committing it.

use std::path::{Path, PathBuf};

use crate::support::{Home, SECRET_KEY, git, output};

/// The fixture configs: small TOML files beside the golden output.
const USER_EVERY_KEY: &str = include_str!("golden/fixtures/user_every_key.toml");
const USER_LIMITS: &str = include_str!("golden/fixtures/user_limits.toml");
const USER_MODEL: &str = include_str!("golden/fixtures/user_model.toml");
const USER_TRUSTING: &str = include_str!("golden/fixtures/user_trusting.toml");
const REPO_HOSTILE: &str = include_str!("golden/fixtures/repo_hostile.toml");
const REPO_TEST_COMMAND: &str = include_str!("golden/fixtures/repo_test_command.toml");

/// One `wright config` invocation and what it is given.
struct Scenario {
    /// The golden file, under `tests/e2e/golden/`.
    golden: &'static str,
    /// `$XDG_CONFIG_HOME/wright/config.toml`, when there is one.
    user: Option<&'static str>,
    /// The repository's `wright.toml`, when there is one.
    repo: Option<&'static str>,
    /// The environment beyond `PATH`, `HOME`, the XDG directories and `NO_COLOR`.
    env: &'static [(&'static str, &'static str)],
    /// Arguments after `wright config --repo $HOME/repo`.
    args: &'static [&'static str],
}

/// Runs `s` and compares (or, with `WRIGHT_BLESS=1`, writes) its golden file.
async fn check(s: Scenario) {
    let home = Home::new();
    let repo = home.dir.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    if let Some(text) = s.user {
        let dir = home.dir.path().join("config/wright");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), text).unwrap();
    }
    if let Some(text) = s.repo {
        std::fs::write(repo.join("wright.toml"), text).unwrap();
    }

    let mut cmd = home.wright("");
    // Only what the scenario names: no endpoint, no key.
    cmd.env_remove("OPENAI_BASE_URL").env_remove("OPENAI_API_KEY").current_dir(home.dir.path());
    for (var, value) in s.env {
        cmd.env(var, value);
    }
    cmd.args(["config", "--repo"]).arg(&repo).args(s.args);
    let out = output(cmd).await;
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stdout.contains(SECRET_KEY) && !stderr.contains(SECRET_KEY), "the key was printed:\n{stdout}{stderr}");

    // What was run, then what it printed.
    let mut text = String::from("$");
    for (var, value) in s.env {
        let value = if *value == SECRET_KEY { "<key>" } else { value };
        text.push_str(&format!(" {var}={value:?}"));
    }
    text.push_str(" wright config --repo $HOME/repo");
    for arg in s.args {
        text.push_str(&format!(" {arg}"));
    }
    text.push('\n');
    text.push_str(&stdout);
    if !stderr.is_empty() {
        text.push_str("--- stderr ---\n");
        text.push_str(&stderr);
    }
    compare(&golden_dir().join(s.golden), &normalize(&text, home.dir.path()));
}

/// `text` with the temp home written as `$HOME` (its canonical spelling first: on some
/// systems the temp dir is reached through a link).
fn normalize(text: &str, home: &Path) -> String {
    let canonical = home.canonicalize().unwrap();
    text.replace(canonical.to_str().unwrap(), "$HOME").replace(home.to_str().unwrap(), "$HOME")
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e/golden")
}

fn compare(path: &Path, actual: &str) {
    if std::env::var_os("WRIGHT_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e} (WRIGHT_BLESS=1 writes it)", path.display()));
    if expected == actual {
        return;
    }
    let (line, (want, got)) = expected
        .lines()
        .map(Some)
        .chain(std::iter::repeat(None))
        .zip(actual.lines().map(Some).chain(std::iter::repeat(None)))
        .enumerate()
        .find(|(_, (want, got))| want != got)
        .unwrap_or((0, (None, None)));
    let (want, got) = (want.unwrap_or("<end of file>"), got.unwrap_or("<end of output>"));
    panic!(
        "`wright config` no longer prints {} (WRIGHT_BLESS=1 rewrites it, if the change is meant)\n\
         first difference, line {}:\n  golden: {want}\n  now:    {got}\n\nwhole output now:\n{actual}",
        path.display(),
        line + 1,
    );
}

#[tokio::test]
async fn nothing_set_shows_every_default() {
    // A key, so the output does not depend on model servers running on this machine.
    let env = &[("OPENAI_API_KEY", SECRET_KEY)];
    check(Scenario { golden: "config_defaults.txt", user: None, repo: None, env, args: &[] }).await;
}

#[tokio::test]
async fn the_user_file_sets_every_key() {
    check(Scenario {
        golden: "config_user_file.txt",
        user: Some(USER_EVERY_KEY),
        repo: None,
        env: &[("OPENAI_API_KEY", SECRET_KEY)],
        args: &[],
    })
    .await;
}

#[tokio::test]
async fn an_untrusted_repository_only_lowers_limits_and_sets_safe_keys() {
    check(Scenario {
        golden: "config_untrusted_repo.txt",
        user: Some(USER_LIMITS),
        repo: Some(REPO_HOSTILE),
        // A key, so the output does not depend on model servers running on this machine.
        env: &[("OPENAI_API_KEY", SECRET_KEY)],
        args: &[],
    })
    .await;
}

#[tokio::test]
async fn an_untrusted_repository_as_json() {
    check(Scenario {
        golden: "config_untrusted_repo.json",
        user: Some(USER_LIMITS),
        repo: Some(REPO_HOSTILE),
        env: &[("OPENAI_API_KEY", SECRET_KEY)],
        args: &["--json"],
    })
    .await;
}

#[tokio::test]
async fn the_environment_overrides_the_files_and_flags_the_environment() {
    check(Scenario {
        golden: "config_env_and_flags.txt",
        user: Some(USER_MODEL),
        repo: Some(REPO_TEST_COMMAND),
        env: &[
            ("OPENAI_API_KEY", SECRET_KEY),
            ("WRIGHT_MODEL", "env-model"),
            ("OPENAI_BASE_URL", "http://env.example/v1"),
            ("WRIGHT_TOOL_FORMAT", "text"),
            ("WRIGHT_TEST_COMMAND", "  pytest -q  "),
        ],
        args: &["--model", "flag-model", "--tool-format", "auto", "--no-stream", "--temperature", "0", "--seed", "7"],
    })
    .await;
}

#[tokio::test]
async fn a_repository_listed_in_trusted_repos_sets_every_key_but_token_hosts() {
    check(Scenario {
        golden: "config_trusted_repo.txt",
        user: Some(USER_TRUSTING),
        repo: Some(REPO_HOSTILE),
        env: &[],
        args: &["--base-url", "http://flag.example/v1"],
    })
    .await;
}

#[tokio::test]
async fn a_repository_trusted_by_flag_as_json() {
    check(Scenario {
        golden: "config_trust_flag.json",
        user: Some(USER_LIMITS),
        repo: Some(REPO_HOSTILE),
        env: &[("OPENAI_BASE_URL", "http://env.example/v1")],
        args: &["--trust-repo-config", "--json"],
    })
    .await;
}
