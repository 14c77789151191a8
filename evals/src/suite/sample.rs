//! `--agent sample`: the simplest strategy worth beating, kept as a fixed yardstick. Find
//! the file (the one the task names, else wright's index's first), ask for the whole
//! corrected file (or definition, in a long file), apply it, run the task's visible tests
//! in the sandbox; again, first greedy and then at temperature 0.8, until they pass or
//! the budget is spent. Only the latest failing output is fed back. Its prompt is the
//! committed file `evals/prompts/sample.md`; changing either changes the yardstick.

mod locate;
mod reply;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use wright_index::Index;
use wright_llm::{ClientConfig, LlmClient, Message, RetryPolicy, Sampling, Usage};
use wright_testing::Limits;
use wright_tree::Tree;

use crate::EvalError;
use crate::suite::Task;
use crate::suite::placeholders::fill;
use crate::suite::trial::{AgentSettings, Trial};
use locate::Target;
use reply::{code_block, excerpt, splice};

const PROMPT: &str = include_str!("../../prompts/sample.md");
/// The temperature of every sample after the first, greedy one.
const HOT: f64 = 0.8;
/// How much of a failing test run the next sample sees (its end, where runners say why).
const FEEDBACK_CHARS: usize = 2000;
/// Below this much time left no sample could finish.
const LAST_SECONDS: u64 = 5;

pub const NEEDS_MODEL: &str = "the sample agent needs --model (and --base-url for a local server)";

/// One trial of `task` in `tree`; notes and the index go in `scratch`.
pub fn trial(
    task: &Task,
    tree: &Path,
    scratch: &Path,
    settings: &AgentSettings,
    limits: &Limits,
    out: &mut Trial,
) -> Result<(), EvalError> {
    let started = Instant::now();
    let budget = Duration::from_secs(task.budgets.seconds);
    let model = settings.model.clone().ok_or_else(|| EvalError::Io(NEEDS_MODEL.into()))?;
    let ticket = wright_tree::read_capped(&task.dir, Path::new(&task.task_file), 1 << 20)
        .map_err(|e| EvalError::Io(format!("{}: {}", task.task_file.display(), e.reason())))?
        .text();
    let mut index = Index::open(tree, &scratch.join("index"))?;
    index.update(&mut |_, _| {})?;
    let Some(target) = locate::target(&index, tree, &ticket)? else {
        out.stop_reason = "nothing to ask for: no file ranked, or no definition in a long file".into();
        return Ok(());
    };
    index.close()?;
    let files = Tree::open(tree).map_err(|e| EvalError::Io(format!("{}: {e}", tree.display())))?;
    let rel = Path::new(&target.path);
    let read = files.read(rel, 4 << 20).map_err(|e| EvalError::Io(format!("{}: {e}", target.path)))?;
    // Rewritten and restored as text: a file that is not whole UTF-8 text is not for this agent.
    let original = match String::from_utf8(read.bytes) {
        Ok(text) if read.size <= text.len() as u64 => text,
        _ => {
            out.stop_reason = format!("not text: {} is not UTF-8 of at most 4 MiB", target.path);
            return Ok(());
        }
    };
    // The task's own test command, over the tests the tree shows (the hidden ones are not there).
    let mut limits = limits.clone();
    limits.isolation.hidden.extend(settings.hide.iter().cloned());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| EvalError::Io(format!("starting the model client: {e}")))?;
    let log_path = scratch.join("sample.jsonl");
    let mut log = Vec::new();
    let mut usage = Usage::default();
    let mut failure: Option<String> = None;
    let mut samples = 0u64;
    let stop = loop {
        let left = budget.saturating_sub(started.elapsed());
        if left < Duration::from_secs(LAST_SECONDS) {
            break format!("time budget spent: {samples} samples");
        }
        if samples >= u64::from(task.budgets.steps) {
            break format!("step budget spent: {samples} samples");
        }
        if usage.prompt_tokens + usage.completion_tokens >= task.budgets.tokens {
            break format!("token budget spent: {samples} samples");
        }
        samples += 1;
        let temperature = if samples == 1 { 0.0 } else { HOT };
        let code = excerpt(&original, target.lines);
        let messages = prompt(&ticket, &target, &code, failure.as_deref());
        let client = LlmClient::new(ClientConfig {
            base_url: settings.base_url.clone().unwrap_or_else(|| wright_llm::OPENAI_DEFAULT_BASE.into()),
            api_key: settings.api_key.clone(),
            model: model.clone(),
            stream: true,
            sampling: Sampling {
                temperature: Some(temperature as f32),
                seed: Some(settings.seed.wrapping_add(samples)),
                // Room for the code rewritten, and some words around it.
                max_tokens: Some((code.len() as u32 / 2).clamp(512, 4096)),
            },
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(120),
            retry: RetryPolicy::default(),
        })
        .map_err(|e| EvalError::Io(format!("the model client: {e}")))?;
        let asked = Instant::now();
        let answer =
            runtime.block_on(async { tokio::time::timeout(left, client.chat(&messages, &[], &mut |_| {})).await });
        let reply = match answer {
            Err(_) => break format!("time budget spent: while sample {samples} was written"),
            Ok(Err(e)) => break format!("model failed: sample {samples}: {e}"),
            Ok(Ok(reply)) => reply,
        };
        usage += reply.usage;
        let mut note = json!({
            "sample": samples, "temperature": temperature, "path": target.path, "lines": target.lines,
            "model_seconds": asked.elapsed().as_secs_f64(), "usage": reply.usage, "reply": reply.content,
        });
        let changed = code_block(&reply.content).map(|new| splice(&original, target.lines, &new));
        match changed {
            None => note["outcome"] = "no closed code block".into(),
            Some(text) if text == original => note["outcome"] = "the code came back unchanged".into(),
            Some(text) => {
                files.write(rel, text.as_bytes(), None).map_err(|e| EvalError::Io(format!("{}: {e}", target.path)))?;
                let left = budget.saturating_sub(started.elapsed());
                let run = wright_testing::run(tree, &task.check.command, left.min(task.check_timeout()), &limits);
                note["tests"] = json!({"passed": run.passed(), "counts": run.counts(), "timed_out": run.timed_out});
                if run.passed() {
                    note["outcome"] = "the visible tests pass".into();
                    log.push(note);
                    out.claimed_fixed = true;
                    break format!("visible tests pass: sample {samples}");
                }
                note["outcome"] = "the visible tests fail".into();
                failure = Some(tail(&run.output_tail, FEEDBACK_CHARS));
                // Each sample starts from the code as it was.
                files
                    .write(rel, original.as_bytes(), None)
                    .map_err(|e| EvalError::Io(format!("{}: {e}", target.path)))?;
            }
        }
        log.push(note);
    };
    let lines: String = log.iter().map(|n| format!("{n}\n")).collect();
    std::fs::write(&log_path, lines).map_err(|e| EvalError::Io(format!("{}: {e}", log_path.display())))?;
    out.transcript = Some(log_path.display().to_string());
    out.steps = Some(samples);
    out.prompt_tokens = Some(usage.prompt_tokens);
    out.completion_tokens = Some(usage.completion_tokens);
    out.processed_prompt_tokens = usage.processed_prompt_tokens;
    out.cached_prompt_tokens = usage.cached_prompt_tokens;
    // Every sample is a conversation of its own: nothing earlier is ever rewritten.
    out.context_rewrites = Some(0);
    out.stop_reason = stop;
    Ok(())
}

/// The committed prompt, filled in: its `system` and `user` sections, with the failing
/// output in the `feedback` section when there is one.
fn prompt(ticket: &str, target: &Target, code: &str, failure: Option<&str>) -> Vec<Message> {
    let section = |name: &str| {
        let start = format!("=== {name} ===\n");
        let body = PROMPT.split_once(&start).map(|(_, rest)| rest).unwrap_or_default();
        body.split_once("\n=== ").map_or(body, |(b, _)| b).to_string()
    };
    let feedback = failure.map(|f| fill(&section("feedback"), &[("failure", f)])).unwrap_or_default();
    let what = if target.lines.is_some() { "one definition" } else { "the whole file" };
    let lang = target.path.rsplit_once('.').map(|(_, ext)| ext).unwrap_or_default();
    let user = fill(
        &section("user"),
        &[
            ("task", ticket.trim()),
            ("what", what),
            ("path", &target.path),
            ("lang", lang),
            ("code", code),
            ("feedback", &feedback),
        ],
    );
    vec![Message::System { content: section("system").trim().to_string() }, Message::User { content: user }]
}

/// The last `chars` characters of `text`.
fn tail(text: &str, chars: usize) -> String {
    let skip = text.chars().count().saturating_sub(chars);
    text.chars().skip(skip).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_is_the_committed_file_filled_in() {
        let target = Target { path: "stats.py".into(), lines: None };
        let first = prompt("average([]) crashes {code}", &target, "def average(xs): ...", None);
        let [Message::System { content: system }, Message::User { content: user }] = first.as_slice() else {
            panic!("two messages")
        };
        assert!(system.starts_with("You fix bugs"));
        assert!(user.contains("average([]) crashes {code}") && user.contains("```py\ndef average(xs): ...\n```"));
        assert!(user.contains("the whole file") && !user.contains("earlier corrected version"));
        let again = prompt("t", &target, "c", Some("FAILED test_x"));
        assert!(
            again[1].text().contains("earlier corrected version was wrong")
                && again[1].text().contains("FAILED test_x")
        );
        assert_eq!(tail("abcdef", 2), "ef");
    }
}
