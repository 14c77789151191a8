//! Strangers' text reaches the user's terminal inert: the model's words, a command's
//! output, plan steps, commit messages and diffs show their escape sequences and bidi
//! controls as `\u{…}`, in `wright run`, `wright show`, `wright log` and `wright sandbox run`.

use serde_json::json;

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, Step, turn};
use crate::support::{Home, events, finished, output};

/// Clears the screen to fake a verdict, writes the clipboard (OSC 52), links (OSC 8), and
/// turns the rest of the line around (U+202E).
const HOSTILE: &str = "\x1b[2J\x1b[Hverdict: fixed \x1b]52;c;cm0gLXJmIH4=\x07 \x1b]8;;https://evil.example/\x1b\\docs\x1b]8;;\x1b\\ \u{202e}gnp.exe";

/// What the user sees of each part of `HOSTILE`.
const SHOWN: [&str; 4] = [
    "\\u{1b}[2J\\u{1b}[Hverdict: fixed",
    "\\u{1b}]52;c;cm0gLXJmIH4=\\u{7}",
    "\\u{1b}]8;;https://evil.example/\\u{1b}\\docs\\u{1b}]8;;\\u{1b}\\",
    "\\u{202e}gnp.exe",
];

/// The same bytes, printed by a command in the sandbox.
const PRINTF: &str = r"printf 'out \033[2J \033]52;c;cm0gLXJmIH4=\007 \033]8;;https://evil.example/\033\\docs\033]8;;\033\\ \342\200\256gnp.exe\n'";

/// A commit subject that sets the window title and clears the screen.
const SUBJECT: &str = "fix: \x1b]0;pwned\x07title\x1b[2J \u{202e}gnp.exe";
const SUBJECT_SHOWN: &str = "fix: \\u{1b}]0;pwned\\u{7}title\\u{1b}[2J \\u{202e}gnp.exe";

/// Says, plans, runs and edits hostile text, then finishes with it.
fn script() -> Vec<Step> {
    let step = format!("Look at {HOSTILE}");
    vec![
        turn(HOSTILE, &[("update_plan", json!({"steps": [{"step": step, "status": "in_progress"}]}))]),
        turn("", &[("run", json!({"command": PRINTF}))]),
        turn(
            "",
            &[(
                "edit",
                json!({
                    "path": "dates.py",
                    "old": "from datetime import datetime\n",
                    "new": format!("from datetime import datetime\n# {HOSTILE}\n")
                }),
            )],
        ),
        turn("", &[("finish", json!({"summary": format!("done {HOSTILE}"), "outcome": "gave_up"}))]),
    ]
}

async fn server() -> ModelServer {
    ModelServer::start_with_commits(script(), vec![turn(&format!("{SUBJECT}\n\nwhy: {HOSTILE}\n"), &[])]).await
}

/// No escape, BEL or bidi override reached the terminal (colour is off in the tests, so
/// wright writes no escape of its own either).
fn assert_inert(what: &str, text: &str) {
    for raw in ['\x1b', '\x07', '\u{202e}', '\u{9b}'] {
        assert!(!text.contains(raw), "{what} holds a raw {raw:?}:\n{text}");
    }
}

#[tokio::test]
async fn the_run_view_shows_escapes_from_the_model_and_commands() {
    let fixture = Fixture::new();
    let server = server().await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--attempts", "1", "--model", "scripted", "--repo"]).arg(fixture.repo()).arg("tidy up dates");
    let out = output(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("── result ──"), "the run did not end:\n{stderr}");
    assert_inert("stdout", &stdout);
    assert_inert("stderr", &stderr);
    for shown in SHOWN {
        assert!(stderr.contains(shown), "missing {shown:?} in:\n{stderr}");
    }
    for needle in [
        // The model's streamed text, the plan and the summary.
        &format!("\n{}", SHOWN[0]),
        &format!("[>] Look at {}", SHOWN[0]),
        &format!("summary:  done {}", SHOWN[0]),
        // The command's output.
        "out \\u{1b}[2J \\u{1b}]52;c;cm0gLXJmIH4=\\u{7} \\u{1b}]8;;https://evil.example/",
        // The commit subject the model wrote.
        SUBJECT_SHOWN,
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }
}

#[tokio::test]
async fn show_and_log_show_escapes_from_commits_and_diffs() {
    let fixture = Fixture::new();
    let server = server().await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--attempts", "1", "--json", "--model", "scripted", "--repo"]).arg(fixture.repo());
    cmd.arg("tidy up \x1b[2J\u{202e}dates");
    let out = output(cmd).await;
    let events = events(&out.stdout);
    let end = finished(&events);
    // JSON stays exactly as it was: the raw characters, escaped by JSON alone.
    assert_eq!(end["summary"], format!("done {HOSTILE}"), "{end}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("\\u001b]52;c;cm0gLXJmIH4=\\u0007"));
    assert_eq!(end["commits"].as_array().map(Vec::len), Some(1), "{end}");
    let run_id = events[0]["run_id"].as_str().unwrap();

    let mut show = home.wright(&server.base_url);
    show.args(["show", run_id]);
    let shown = output(show).await;
    let stdout = String::from_utf8_lossy(&shown.stdout);
    assert_eq!(shown.status.code(), Some(0), "{}", String::from_utf8_lossy(&shown.stderr));
    assert_inert("show", &stdout);
    assert_inert("show's stderr", &String::from_utf8_lossy(&shown.stderr));
    for needle in [
        "task:     tidy up \\u{1b}[2J\\u{202e}dates",
        &format!("[>] Look at {}", SHOWN[0]),
        &format!("    {SUBJECT_SHOWN}"),
        &format!("    why: {}", SHOWN[0]),
        &format!("Wright-Step: Look at {}", SHOWN[0]),
        &format!("+# {}", SHOWN.join(" ")),
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }

    let mut log = home.wright(&server.base_url);
    log.arg("log");
    let listed = output(log).await;
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert_inert("log", &stdout);
    assert!(stdout.contains("tidy up \\u{1b}[2J\\u{202e}dates"), "{stdout}");
}

#[tokio::test]
async fn sandbox_run_shows_escapes_from_the_command() {
    let fixture = Fixture::new();
    let home = Home::new();
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["sandbox", "run", "--repo"]).arg(fixture.repo()).args(["--", "sh", "-c"]);
    cmd.arg(format!("{PRINTF}; {} >&2", PRINTF.replace("out ", "err ")));
    let out = output(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_inert("stdout", &stdout);
    assert_inert("stderr", &stderr);
    let shown = "\\u{1b}[2J \\u{1b}]52;c;cm0gLXJmIH4=\\u{7} \\u{1b}]8;;https://evil.example/\\u{1b}\\docs\\u{1b}]8;;\\u{1b}\\ \\u{202e}gnp.exe\n";
    assert_eq!(stdout, format!("out {shown}"));
    assert_eq!(stderr, format!("err {shown}"));
}
