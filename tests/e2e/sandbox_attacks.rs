//! The attack suite: hostile commands through `wright sandbox run` and through the
//! agent's `run` tool (the same sandbox code), each followed by checks that the host is
//! unchanged. Every test first moves itself into a limited cgroup of its own.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use wright_sandbox::{Backend, Isolation, TreeLimits};
use wright_tools::{IndexHandle, RunLimits, ToolContext, Toolbox};

use crate::support::contain::contain;
use crate::support::fixture::Fixture;
use crate::support::{Home, PythonWasm, git, python_wasm};

const TOKEN: &str = "ghs_attackTOKEN4242";
const SSH_KEY: &str = "PRIVATE-KEY-attack-4242";
const HOME_SECRET: &str = "home-secret-attack-4242";

struct Target {
    _fixture: Fixture,
    home: Home,
    repo: PathBuf,
    /// A directory beside the repository that nothing may write to.
    outside: tempfile::TempDir,
    /// `git status` before the attack (the fixture has uncommitted work of its own).
    status: String,
    wasm: PythonWasm,
}

/// A repository with a token in its remote URL and hooks, a home with an ssh key, and
/// small limits so bombs hit them fast.
fn target() -> Target {
    contain();
    let fixture = Fixture::new();
    let repo = fixture.repo().canonicalize().unwrap();
    git(&repo, &["remote", "add", "origin", &format!("https://x-access-token:{TOKEN}@github.com/o/r.git")]);
    git(&repo, &["config", "http.https://github.com/.extraheader", &format!("AUTHORIZATION: basic {TOKEN}")]);
    let home = Home::new();
    std::fs::create_dir_all(home.dir.path().join(".ssh")).unwrap();
    std::fs::write(home.dir.path().join(".ssh/id_ed25519"), SSH_KEY).unwrap();
    let config = home.dir.path().join("config/wright");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "[sandbox]\ntmp_mb = 16\nfile_mb = 8\nmemory_mb = 256\nmax_pids = 64\n")
        .unwrap();
    let status = git(&repo, &["status", "--porcelain", "--ignored"]);
    let wasm = python_wasm();
    wasm.link_into(&home);
    Target { _fixture: fixture, home, repo, outside: tempfile::tempdir().unwrap(), status, wasm }
}

/// `cmd` through the CLI and through the `run` tool: (exit code, stdout + stderr) each.
fn attack(t: &Target, cmd: &str, timeout_secs: u64) -> Vec<(&'static str, i32, String)> {
    attack_in(t, Backend::Process, &["sh", "-c", cmd], cmd, timeout_secs)
}

/// Python `code` run by python.wasm in the wasm backend, through the CLI and the tool.
fn attack_wasm(t: &Target, code: &str, timeout_secs: u64) -> Vec<(&'static str, i32, String)> {
    assert!(!code.contains('\''), "the tool's command line quotes the code in single quotes");
    attack_in(t, Backend::Wasm, &["python", "-c", code], &format!("python -c '{code}'"), timeout_secs)
}

/// `argv` through the CLI, `line` through the `run` tool, both under `backend`.
fn attack_in(
    t: &Target,
    backend: Backend,
    argv: &[&str],
    line: &str,
    timeout_secs: u64,
) -> Vec<(&'static str, i32, String)> {
    attack_at(t, &t.repo, backend, argv, line, timeout_secs)
}

/// As [`attack_in`], in the directory `repo`.
fn attack_at(
    t: &Target,
    repo: &Path,
    backend: Backend,
    argv: &[&str],
    line: &str,
    timeout_secs: u64,
) -> Vec<(&'static str, i32, String)> {
    let mut cli = t.home.wright("http://127.0.0.1:9/v1");
    cli.env("HOME", t.home.dir.path()).env("GITHUB_TOKEN", TOKEN);
    cli.args(["sandbox", "run", "--sandbox", backend.name(), "--repo"]).arg(repo);
    cli.args(["--timeout", &timeout_secs.to_string(), "--"]).args(argv);
    let out = cli.output().unwrap();
    let cli_text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));

    let mut isolation = Isolation::default();
    isolation.limits = TreeLimits { max_pids: 64, memory_bytes: 256 << 20 };
    isolation.tmp_bytes = 16 << 20;
    isolation.file_bytes = 8 << 20;
    isolation.hidden = vec![t.home.data()];
    isolation.backend = backend;
    isolation.wasm = t.wasm.setup();
    let limits = RunLimits { max_timeout: Duration::from_secs(timeout_secs), isolation, ..RunLimits::default() };
    let ctx = ToolContext {
        root: repo.to_path_buf(),
        workspace: None,
        index: IndexHandle::new(repo.to_path_buf(), t.home.dir.path().join("index"), None),
        run: limits,
    };
    let args = json!({"command": line, "timeout_secs": timeout_secs});
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let tool = runtime.block_on(Toolbox::builtin().call(&ctx, "run", &args, &[]));
    let tool_text = tool.map(|o| o.text).unwrap_or_else(|e| format!("error: {e}"));
    let first = tool_text.lines().next().unwrap_or("");
    let tool_code = if first.starts_with("timed out") {
        124
    } else if first.starts_with("killed for exceeding") {
        137
    } else if let Some(sig) = first.strip_prefix("killed by signal ") {
        128 + sig.split(' ').next().and_then(|s| s.parse::<i32>().ok()).unwrap_or(0)
    } else {
        first.strip_prefix("exit code ").and_then(|r| r.split(' ').next()).and_then(|c| c.parse().ok()).unwrap_or(-1)
    };
    vec![("cli", out.status.code().unwrap_or(-1), cli_text), ("tool", tool_code, tool_text)]
}

/// The repository's committed state and hooks are as they were, nothing was written
/// beside it, and no process of the attack is left.
fn host_unchanged(t: &Target, marker: &str) {
    assert_eq!(git(&t.repo, &["status", "--porcelain", "--ignored"]), t.status, "the worktree changed");
    let hooks: Vec<_> = std::fs::read_dir(t.repo.join(".git/hooks")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(hooks.iter().all(|h| h.to_string_lossy().ends_with(".sample")), "{hooks:?}");
    assert_eq!(std::fs::read_dir(t.outside.path()).unwrap().count(), 0, "something was written outside");
    assert!(!Path::new("/tmp").join(marker).exists(), "host /tmp was written");
    let ps = std::process::Command::new("ps").args(["-eo", "args"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&ps.stdout).contains(marker), "a process of the attack survived");
}

fn each(results: &[(&str, i32, String)], check: impl Fn(&str, i32, &str)) {
    for (via, code, text) in results {
        check(via, *code, text);
    }
}

#[test]
fn writes_outside_the_worktree_fail() {
    let t = target();
    let out = t.outside.path().display().to_string();
    let cmd = format!(
        "echo x > {out}/abs; echo x > ../escape-marker1; ln -s {out} link && echo x > link/via-link; echo x > .git/hooks/pre-commit; echo x > /tmp/marker1; rm -f link; echo done"
    );
    each(&attack(&t, &cmd, 20), |via, code, text| {
        assert_eq!(code, 0, "{via}: {text}");
        assert!(text.contains("Read-only file system"), "{via}: {text}");
    });
    host_unchanged(&t, "marker1");
    assert!(!t.repo.parent().unwrap().join("escape-marker1").exists());
}

#[test]
fn secrets_stay_hidden() {
    let t = target();
    let cmd = "cat ~/.ssh/id_ed25519 /root/.ssh/id_ed25519 /etc/shadow; cat .git/config; env; cat /proc/1/environ; ls -a /root; echo end";
    each(&attack(&t, cmd, 20), |via, code, text| {
        assert_eq!(code, 0, "{via}: {text}");
        assert!(!text.contains(SSH_KEY), "{via} read the ssh key: {text}");
        assert!(!text.contains(TOKEN), "{via} read a token: {text}");
        assert!(!text.contains(crate::support::SECRET_KEY), "{via} saw the API key: {text}");
        assert!(text.contains("url = https://github.com/o/r.git"), "{via}: git still has its remote: {text}");
        assert!(!text.contains(".bash_history") && !text.contains(".gitconfig"), "{via}: /root's dotfiles: {text}");
    });
    host_unchanged(&t, "marker2");
}

/// A command through `wright sandbox run` with the test's home as `$HOME` and `path_first`
/// before the usual `PATH`: (exit code, stdout + stderr).
fn in_home(t: &Target, path_first: &Path, cmd: &str) -> (i32, String) {
    let mut cli = t.home.wright("http://127.0.0.1:9/v1");
    let path = format!("{}:{}", path_first.display(), std::env::var("PATH").unwrap_or_default());
    cli.env("PATH", path).args(["sandbox", "run", "--repo"]).arg(&t.repo).args(["--", "sh", "-c", cmd]);
    let out = cli.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// `~/.local/bin` on `PATH` shows that directory, not the rest of `~/.local` (other runs'
/// transcripts); `~/.cargo` shows its registry, not its credentials.
#[test]
fn the_home_shows_toolchains_not_what_lies_beside_them() {
    let t = target();
    let home = t.home.dir.path();
    let bin = home.join(".local/bin");
    write(&bin.join("hello"), "#!/bin/sh\necho hello from local bin\n");
    std::fs::set_permissions(bin.join("hello"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    write(&home.join(".local/share/wright/runs/r1/transcript.jsonl"), HOME_SECRET);
    write(&home.join(".cargo/credentials.toml"), &format!("[registry]\ntoken = \"{HOME_SECRET}\"\n"));
    write(&home.join(".cargo/registry/index/index-marker"), "");
    write(&home.join(".netrc"), HOME_SECRET);
    let cmd = "hello; ls -a ~/.local ~/.local/share ~/.cargo ~/.cargo/registry/index; \
               cat ~/.local/share/wright/runs/r1/transcript.jsonl ~/.cargo/credentials.toml ~/.netrc; \
               grep -rs . ~; echo end";
    let (code, text) = in_home(&t, &bin, cmd);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains(HOME_SECRET), "a secret beside a toolchain: {text}");
    assert!(text.contains("hello from local bin") && text.contains("index-marker"), "{text}");
    assert!(text.contains("\nend\n"), "{text}");
    host_unchanged(&t, "marker8");
}

/// A `.git` file a command writes names nothing the next command sees: the sandbox binds
/// the git dirs wright knows, never what `.git` says (directly, or through `commondir`).
#[test]
fn a_dot_git_file_cannot_name_a_host_directory() {
    let t = target();
    let ssh = t.home.dir.path().join(".ssh");
    for forged in [
        format!("printf 'gitdir: %s\\n' {}", ssh.display()),
        format!("mkdir -p fake && printf '%s\\n' {} > fake/commondir && printf 'gitdir: fake\\n'", ssh.display()),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().canonicalize().unwrap();
        // The CLI writes `.git`; after that it is bound read-only, so the tool cannot.
        let first = format!("{forged} > .git; echo done");
        each(&attack_at(&t, &plain, Backend::Process, &["sh", "-c", &first], &first, 20), |via, code, text| {
            assert_eq!(code, 0, "{via}: {text}");
            assert_eq!(text.contains("Read-only file system"), via == "tool", "{via}: {text}");
        });
        assert!(std::fs::read_to_string(plain.join(".git")).unwrap().starts_with("gitdir: "));
        let second = format!("cat {0}/id_ed25519; ls -a {0}; echo ran", ssh.display());
        each(&attack_at(&t, &plain, Backend::Process, &["sh", "-c", &second], &second, 20), |via, code, text| {
            assert_eq!(code, 0, "{via}: {text}");
            assert!(!text.contains(SSH_KEY), "{via} read the directory .git named: {text}");
            assert!(text.contains("ran"), "{via}: {text}");
        });
    }
    host_unchanged(&t, "marker9");
}

/// Tokens in a `[url "..."]` header and in submodules' configs (nested too) are stripped
/// like the remote's, and git still works.
#[test]
fn tokens_in_url_headers_and_submodule_configs_stay_hidden() {
    let t = target();
    git(
        &t.repo,
        &["config", &format!("url.https://x-access-token:{TOKEN}@github.com/.insteadOf"), "https://github.com/"],
    );
    let module = format!("[remote \"origin\"]\n\turl = https://x-access-token:{TOKEN}@github.com/o/sub.git\n");
    for dir in ["sub", "sub/modules/inner"] {
        let dir = t.repo.join(".git/modules").join(dir);
        write(&dir.join("config"), &module);
        write(&dir.join("HEAD"), "ref: refs/heads/main\n");
    }
    let cmd = "cat .git/config .git/modules/sub/config .git/modules/sub/modules/inner/config; \
               git config --get-regexp '^url'; git status --short > /dev/null && echo status-ok";
    each(&attack(&t, cmd, 20), |via, code, text| {
        assert_eq!(code, 0, "{via}: {text}");
        assert!(!text.contains(TOKEN), "{via} read a token: {text}");
        assert!(text.contains("url.https://github.com/.insteadof https://github.com/"), "{via}: {text}");
        assert_eq!(text.matches("url = https://github.com/o/sub.git").count(), 2, "{via}: {text}");
        assert!(text.contains("status-ok"), "{via}: {text}");
    });
    host_unchanged(&t, "marker10");
}

#[test]
fn no_network_not_even_loopback() {
    let t = target();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let cmd = format!(
        "python3 -c \"import socket\ntry:\n socket.create_connection(('127.0.0.1', {port}), timeout=3); print('CONNECTED')\nexcept OSError as e: print('refused', e)\ntry:\n print('RESOLVED', socket.gethostbyname('github.com'))\nexcept OSError as e: print('no dns', e)\""
    );
    each(&attack(&t, &cmd, 20), |via, code, text| {
        assert_eq!(code, 0, "{via}: {text}");
        assert!(text.contains("refused") && !text.contains("CONNECTED"), "{via}: {text}");
        assert!(text.contains("no dns") && !text.contains("RESOLVED"), "{via}: {text}");
    });
    host_unchanged(&t, "marker3");
}

#[test]
fn bombs_floods_and_loops_are_stopped() {
    let t = target();
    // Fork bomb: the cgroup's process limit holds it (so firmly that the final `sleep` may
    // not start at all); the deadline ends it, and nothing of it survives.
    each(&attack(&t, "f(){ f|f& }; f; sleep 60 # marker4", 4), |via, code, text| {
        assert!(code == 124 || (code != 0 && text.contains("Cannot fork")), "{via}: {code} {text}");
        let survivors = std::process::Command::new("pgrep").args(["-f", "marker4"]).output().unwrap();
        assert!(survivors.stdout.is_empty(), "{via}: {}", String::from_utf8_lossy(&survivors.stdout));
    });
    // Memory bomb: the cgroup's memory limit kills it.
    let bomb = "python3 -c 'x=[]\nwhile True: x.append(bytearray(10**7))'";
    each(&attack(&t, bomb, 30), |via, code, text| {
        assert!(code == 137 || text.contains("memory limit"), "{via}: {code} {text}");
    });
    // Filling /tmp stops at its size; a huge file stops at the file size limit.
    let fill = "for i in 1 2 3 4; do head -c 6000000 /dev/zero > /tmp/fill$i || echo full; done; df -k /tmp";
    each(&attack(&t, fill, 20), |via, _, text| {
        assert!(text.contains("No space left") && text.contains("full"), "{via}: {text}");
    });
    each(&attack(&t, "head -c 64000000 /dev/zero > huge.bin", 20), |via, code, text| {
        assert!(code == 137 || code == 153 || text.contains("file size"), "{via}: {code} {text}");
    });
    let _ = std::fs::remove_file(t.repo.join("huge.bin"));
    // Output flood: capped, head and tail kept.
    each(&attack(&t, "yes flood | head -c 50000000; echo TAIL", 30), |via, _, text| {
        assert!(
            text.contains("bytes cut") && text.trim_end().ends_with("TAIL"),
            "{via}: {}",
            &text[text.len() - 200..]
        );
        assert!(text.len() < 2_200_000, "{via}: {} bytes", text.len());
    });
    // Infinite loop: the deadline.
    each(&attack(&t, "while :; do :; done", 2), |via, code, text| assert_eq!(code, 124, "{via}: {text}"));
    // A daemon that outlives its parent dies with the command.
    each(&attack(&t, "setsid sh -c 'sleep 300 # marker5' > /dev/null 2>&1 & echo started", 20), |via, code, text| {
        assert_eq!(code, 0, "{via}: {text}");
    });
    std::thread::sleep(Duration::from_millis(300));
    host_unchanged(&t, "marker5");
    host_unchanged(&t, "marker4");
}

/// The same escapes from inside python.wasm: WASI gives it no sockets, no processes and
/// no path outside its preopened directories, and the process sandbox around the runner
/// holds `.git`, the file size and the memory.
#[test]
fn python_wasm_cannot_escape_either() {
    let t = target();
    let out = t.outside.path().display().to_string();
    std::os::unix::fs::symlink(t.outside.path(), t.repo.join("outlink")).unwrap();
    let probe = format!(
        r#"import os, socket
def t(name, f):
    try:
        f()
        print(name, "ESCAPED")
    except BaseException as e:
        print(name, "blocked", type(e).__name__)
t("abs", lambda: open("{out}/abs", "w").write("x"))
t("dotdot", lambda: open("../escape-marker6", "w").write("x"))
t("link", lambda: open("outlink/via-link", "w").write("x"))
t("newlink", lambda: os.symlink("{out}", "newlink"))
t("hook", lambda: open(".git/hooks/pre-commit", "w").write("x"))
t("ssh", lambda: print(open("{home}/.ssh/id_ed25519").read()))
t("shadow", lambda: print(open("/etc/shadow").read()))
t("environ", lambda: print(open("/proc/self/environ").read()))
print("config", open(".git/config").read())
print("env", dict(os.environ))
t("tcp", lambda: socket.create_connection(("127.0.0.1", 22), timeout=2))
t("dns", lambda: socket.gethostbyname("github.com"))
t("fork", lambda: os.fork())
t("spawn", lambda: os.system("id"))
"#,
        home = t.home.dir.path().display()
    );
    each(&attack_wasm(&t, &probe, 30), |via, code, text| {
        assert_eq!(code, 0, "{via}: {text}");
        assert!(!text.contains("ESCAPED"), "{via}: {text}");
        assert_eq!(text.matches("blocked").count(), 12, "{via}: {text}");
        assert!(!text.contains(SSH_KEY) && !text.contains(TOKEN), "{via}: {text}");
        assert!(!text.contains(crate::support::SECRET_KEY), "{via}: {text}");
        assert!(text.contains("url = https://github.com/o/r.git"), "{via}: {text}");
    });
    std::fs::remove_file(t.repo.join("outlink")).unwrap();
    host_unchanged(&t, "marker6");
    assert!(!t.repo.parent().unwrap().join("escape-marker6").exists());

    let bomb = "x = []\nwhile True: x.append(bytearray(10**7))";
    each(&attack_wasm(&t, bomb, 30), |via, code, text| assert_eq!(code, 137, "{via}: {text}"));
    each(&attack_wasm(&t, "while True: pass", 2), |via, code, text| assert_eq!(code, 124, "{via}: {text}"));
    let flood = "import sys\nfor i in range(3000000): sys.stdout.write(\"flood\\n\")\nprint(\"TAIL\")";
    each(&attack_wasm(&t, flood, 60), |via, _, text| {
        assert!(text.contains("bytes cut") && text.trim_end().ends_with("TAIL"), "{via}");
    });
    let huge = "f = open(\"huge.bin\", \"wb\")\nfor i in range(64): f.write(bytes(10**6))";
    each(&attack_wasm(&t, huge, 30), |via, code, text| assert_eq!(code, 137, "{via}: {text}"));
    let _ = std::fs::remove_file(t.repo.join("huge.bin"));
    let fill = "for i in range(4):\n  try: open(f\"/tmp/fill{i}\", \"wb\").write(bytes(6000000))\n  except OSError as e: print(\"full\", e)";
    each(&attack_wasm(&t, fill, 30), |via, _, text| assert!(text.contains("full"), "{via}: {text}"));
    host_unchanged(&t, "marker7");
}
