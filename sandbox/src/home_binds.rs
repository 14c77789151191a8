//! What of a home a command sees: the toolchains it needs, each by the subtree it needs
//! (never a whole top directory like `~/.local`), and no credential file wherever one
//! would show, in a bound directory or through the read-only `/`.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// A lookup in the host environment.
pub(crate) type Var<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// Toolchain homes: the variable, its default under `$HOME`, and the subtrees bound.
const TOOLCHAINS: &[(&str, &str, &[&str])] = &[
    // Not `config.toml` (registry tokens) nor `credentials*`.
    ("CARGO_HOME", ".cargo", &["bin", "registry/index", "registry/cache", "registry/src", "git"]),
    // `settings.toml` names the default toolchain for the proxies.
    ("RUSTUP_HOME", ".rustup", &["toolchains", "settings.toml"]),
    // The shims run `libexec/pyenv`, which reads `version`, plugins and hooks.
    ("PYENV_ROOT", ".pyenv", &["bin", "libexec", "plugins", "pyenv.d", "shims", "versions", "version"]),
    ("NVM_DIR", ".nvm", &["versions", "alias"]),
    ("GOPATH", "go", &["pkg/mod"]),
    ("GOROOT", "", &[""]),
    ("JAVA_HOME", "", &[""]),
    ("VIRTUAL_ENV", "", &[""]),
];

/// A `PATH` entry's parent holding one of these is a self-contained environment (a venv,
/// conda, a Go root, a JDK): its `bin` needs the rest of it.
const ENV_MARKERS: &[&str] = &["pyvenv.cfg", "conda-meta", "go.env", "release"];

/// Credentials, relative to each home; a trailing `*` matches a name's prefix.
const DENY: &[&str] = &[
    ".cargo/credentials*",
    ".netrc",
    ".git-credentials",
    ".npmrc",
    ".pypirc",
    ".m2/settings.xml",
    ".gradle/gradle.properties",
    ".docker/config.json",
    ".config/gh",
    ".config/gcloud",
    ".aws",
    ".azure",
    ".kube",
    ".ssh",
    ".gnupg",
    // A GitHub Actions runner's registration, in its root (which may be `$HOME`).
    ".credentials*",
    "actions-runner/.credentials*",
];

/// Credentials that variables place anywhere (a file or directory, or one inside it).
const DENY_VARS: &[(&str, &str)] = &[
    ("CARGO_HOME", "credentials*"),
    ("XDG_CONFIG_HOME", "gh"),
    ("XDG_CONFIG_HOME", "gcloud"),
    ("GH_CONFIG_DIR", ""),
    ("CLOUDSDK_CONFIG", ""),
    ("DOCKER_CONFIG", "config.json"),
    ("GNUPGHOME", ""),
    ("GRADLE_USER_HOME", "gradle.properties"),
    ("AWS_SHARED_CREDENTIALS_FILE", ""),
    ("AWS_CONFIG_FILE", ""),
    ("KUBECONFIG", ""),
    ("NPM_CONFIG_USERCONFIG", ""),
];

/// What to bind read-only from `home`: the `PATH` entries under it (each itself), and
/// the toolchains' subtrees there. Paths elsewhere show through `/` already.
pub(crate) fn toolchains(home: &Path, var: Var) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let real_home = home.canonicalize().unwrap_or_else(|_| home.to_path_buf());
    let mut add = |p: PathBuf| {
        let clean = p.is_absolute() && !p.components().any(|c| c == Component::ParentDir);
        // A symlink to `$HOME` or above would show all of it.
        let shows_home = p.canonicalize().map_or(true, |real| real_home.starts_with(real));
        if clean && p.starts_with(home) && p != home && !shows_home && !dirs.iter().any(|d| p.starts_with(d)) {
            dirs.retain(|d| !d.starts_with(&p));
            dirs.push(p);
        }
    };
    for entry in std::env::split_paths(&var("PATH").unwrap_or_default()) {
        if let Some(env) = entry.parent().filter(|e| ENV_MARKERS.iter().any(|m| e.join(m).exists())) {
            add(env.to_path_buf());
        }
        add(entry);
    }
    for (name, default, subtrees) in TOOLCHAINS {
        let roots = match var(name) {
            Some(v) => std::env::split_paths(&v).collect(),
            None if default.is_empty() => Vec::new(),
            None => vec![home.join(default)],
        };
        for root in roots {
            for sub in *subtrees {
                add(if sub.is_empty() { root.clone() } else { root.join(sub) });
            }
        }
    }
    // User site-packages: `~/.local/lib/python3.X/site-packages`.
    for lib in expand(&home.join(".local/lib"), &["python*", "site-packages"]) {
        add(lib);
    }
    dirs
}

/// Credential files and directories that exist on the host, for every home and where
/// variables put them.
pub(crate) fn credentials(homes: &[PathBuf], var: Var) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for home in homes {
        for pattern in DENY {
            found.extend(expand(home, &pattern.split('/').collect::<Vec<_>>()));
        }
    }
    for (name, pattern) in DENY_VARS {
        for root in std::env::split_paths(&var(name).unwrap_or_default()).filter(|r| r.is_absolute()) {
            let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
            found.extend(expand(&root, &parts));
        }
    }
    // A runner's workspace is `<root>/_work/<repo>`.
    if let Some(root) =
        var("RUNNER_WORKSPACE").map(PathBuf::from).and_then(|w| w.parent()?.parent().map(Path::to_path_buf))
    {
        found.extend(expand(&root, &[".credentials*"]));
    }
    found
}

/// The paths under `root` that `parts` name, a trailing `*` in a part matching a prefix.
fn expand(root: &Path, parts: &[&str]) -> Vec<PathBuf> {
    let Some((first, rest)) = parts.split_first() else {
        return if std::fs::symlink_metadata(root).is_ok() { vec![root.to_path_buf()] } else { Vec::new() };
    };
    match first.strip_suffix('*') {
        None => expand(&root.join(first), rest),
        Some(prefix) => std::fs::read_dir(root)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
            .flat_map(|e| expand(&e.path(), rest))
            .collect(),
    }
}

/// Something to cover inside the sandbox: a directory with an empty tmpfs, anything else
/// with `/dev/null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mask {
    pub path: PathBuf,
    pub dir: bool,
}

/// Where each of `paths` shows inside: at its own (real) path unless a `covered`
/// directory (a home's tmpfs) hides it, and inside every `shown` directory (bound,
/// perhaps through a symlink) that holds it.
pub(crate) fn masks(paths: &[PathBuf], covered: &[PathBuf], shown: &[PathBuf]) -> Vec<Mask> {
    let real = |p: &Path| p.canonicalize().ok();
    let covered: Vec<PathBuf> = covered.iter().filter_map(|c| real(c)).collect();
    let shown: Vec<(PathBuf, &PathBuf)> = shown.iter().filter_map(|s| Some((real(s)?, s))).collect();
    let mut out: Vec<Mask> = Vec::new();
    for path in paths {
        let Some(target) = real(path) else { continue };
        let dir = target.is_dir();
        let mut at: Vec<PathBuf> = Vec::new();
        if !covered.iter().any(|c| target.starts_with(c)) {
            at.push(target.clone());
        }
        for (real_shown, shown) in &shown {
            if let Ok(rest) = target.strip_prefix(real_shown) {
                at.push(shown.join(rest));
            }
        }
        for path in at {
            let mask = Mask { path, dir };
            if !out.contains(&mask) {
                out.push(mask);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<OsString> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v))
    }

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "x").unwrap();
    }

    #[test]
    fn toolchains_bind_subtrees_and_never_a_top_directory() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path();
        for f in [
            ".local/bin/tool",
            ".cargo/bin/cargo",
            ".cargo/registry/index/i",
            ".cargo/credentials.toml",
            ".cargo/config.toml",
        ] {
            touch(&home.join(f));
        }
        touch(&home.join(".local/lib/python3.12/site-packages/m.py"));
        touch(&home.join(".venv/pyvenv.cfg"));
        std::fs::create_dir_all(home.join(".venv/bin")).unwrap();
        std::os::unix::fs::symlink(home, home.join("loop")).unwrap();
        let path = format!("{0}/.local/bin:{0}/.venv/bin:{0}/loop:{0}/.local/bin/../..:/usr/bin", home.display());
        let dirs = toolchains(home, &env(vec![("PATH", path)]));
        let rel: Vec<String> = dirs.iter().map(|d| d.strip_prefix(home).unwrap().display().to_string()).collect();
        assert_eq!(
            rel,
            [".local/bin", ".venv", ".cargo/bin", ".cargo/registry/index", ".local/lib/python3.12/site-packages"]
        );
    }

    #[test]
    fn credentials_are_masked_where_they_show() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let cargo = dir.path().join("usr-local-cargo");
        for f in [".ssh/id_ed25519", ".netrc", ".config/gh/hosts.yml", ".credentials_rsaparams"] {
            touch(&home.join(f));
        }
        touch(&cargo.join("credentials.toml"));
        std::os::unix::fs::symlink(home.join(".config"), home.join("tools")).unwrap();
        let var = env(vec![("CARGO_HOME", cargo.display().to_string())]);
        let found = credentials(std::slice::from_ref(&home), &var);
        assert_eq!(found.len(), 5, "{found:?}");
        let masks = masks(&found, std::slice::from_ref(&home), &[home.join("tools")]);
        let cargo = cargo.canonicalize().unwrap();
        assert_eq!(
            masks,
            vec![
                Mask { path: home.join("tools/gh"), dir: true },
                Mask { path: cargo.join("credentials.toml"), dir: false },
            ]
        );
    }
}
