//! Sizes a stranger's repository may hold: a 200 MB file and a 20 MB line. wright's memory
//! follows what it shows, not what the files hold, and every cut says so.

use std::process::Command;

use serde_json::json;

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, turn};
use crate::support::{Home, events, finished, of_type, output};

/// Writes `big.log` (200 MB of numbered lines) and `one.min.js` (one 20 MB line).
const MAKE: &str = "python3 -c \"
import sys
with open('big.log', 'w') as f:
    for i in range(1, 10_000_001):
        f.write('line %07d of the log\\n' % i)
with open('one.min.js', 'w') as f:
    f.write('x' * 20_000_000 + '\\n')
\"";

/// The peak resident memory of `cmd` alone, in KiB, measured by a parent of its own.
fn with_peak_rss(cmd: &Command) -> Command {
    let mut measured = Command::new("python3");
    measured.args([
        "-c",
        "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; \
         print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)",
    ]);
    measured.arg(cmd.get_program()).args(cmd.get_args());
    measured.env_clear().envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
    measured.stdin(std::process::Stdio::null());
    measured
}

#[tokio::test]
async fn a_200_mb_file_and_a_20_mb_line_are_read_in_windows_with_bounded_memory() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![
        turn("", &[("run", json!({"command": MAKE, "timeout_secs": 300}))]),
        turn("", &[("read_file", json!({"path": "big.log", "start_line": 9_999_999, "end_line": 10_000_005}))]),
        turn("", &[("read_file", json!({"path": "one.min.js"}))]),
        turn("", &[("search", json!({"query": "x{40}", "kind": "regex"}))]),
        turn("", &[("search", json!({"query": "log line"}))]),
        turn("", &[("finish", json!({"summary": "looked", "outcome": "gave_up"}))]),
    ])
    .await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args([
        "run",
        "--attempts",
        "1",
        "--json",
        "--no-baseline",
        "--test-command",
        "true",
        "--model",
        "scripted",
        "--repo",
    ]);
    cmd.arg(fixture.repo()).arg("look at the big files");
    let out = output(with_peak_rss(&cmd)).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let events = events(&out.stdout);
    assert_eq!(finished(&events)["stop_reason"], "finished", "{stderr}");

    let results: Vec<&str> = of_type(&events, "tool_result").iter().map(|r| r["output"].as_str().unwrap()).collect();
    assert_eq!(results.len(), 6, "{results:?}");
    let tail = results[1];
    assert!(tail.starts_with("big.log (lines 9999999-10000000 of 10000000)\n"), "{tail}");
    assert!(tail.contains("10000000\tline 10000000 of the log\n") && tail.contains("[9999998 lines above]"), "{tail}");
    let line = results[2];
    assert!(line.contains("[… line cut: 19998000 more bytes]"), "{}", line.get(..300).unwrap_or(line));
    assert!(line.contains("were cut; use run with a command such as cut or grep -o"));
    let regex = results[3];
    assert!(regex.contains("oversized files not searched"), "{regex}");

    let peak_kib: u64 = stderr.lines().last().and_then(|l| l.trim().parse().ok()).unwrap();
    eprintln!("wright's peak RSS: {} MiB", peak_kib >> 10);
    assert!(peak_kib < 150 << 10, "wright's peak RSS was {} MiB for a 200 MB file", peak_kib >> 10);
}
