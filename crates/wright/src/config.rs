//! Configuration in layers: defaults, `~/.config/wright/config.toml`, the repository's
//! `wright.toml`, the environment, then flags. Each value remembers where it came from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use toml::Value;

use crate::cli::{ConfigArgs, ModelFlags, ToolFormatArg};
use crate::exit::usage;

/// Keys wright knows, their defaults (if any) and what they mean.
const KEYS: &[(&str, Option<&str>, &str)] = &[
    ("model", Some("\"gpt-4o-mini\""), "model name sent to the endpoint"),
    ("base_url", Some("\"https://api.openai.com/v1\""), "OpenAI-compatible endpoint"),
    ("stream", Some("true"), "stream responses (falls back automatically when the endpoint can't)"),
    ("tool_format", Some("\"auto\""), "native | text | auto"),
    ("temperature", None, "sampling temperature (unset: the server's default)"),
    ("max_steps", Some("50"), "model turns before the run stops"),
    ("token_budget", None, "total tokens before the run stops"),
    ("timeout_secs", None, "wall time before the run stops"),
    ("budget_usd", None, "cost before the run stops (needs prices.<model>)"),
    ("test_command", None, "the project's test command (detected when unset)"),
    ("test_timeout_secs", Some("900"), "time limit of the final test run"),
    ("run_timeout_secs", Some("120"), "default time limit of a `run` tool call"),
    ("tool_output_chars", Some("16000"), "characters of a tool's output the model sees"),
    ("request_timeout_secs", Some("600"), "longest silence from the model endpoint"),
    ("max_retries", Some("4"), "retries of a failed model request"),
    ("sandbox.env", Some("[]"), "extra environment variables commands may see (never secrets)"),
    (
        "sandbox.backend",
        Some("\"process\""),
        "process (bubblewrap + cgroup) | wasm (WASI in wasmtime) | none (no sandbox)",
    ),
    ("sandbox.network", Some("false"), "let commands reach the network"),
    ("sandbox.memory_mb", Some("4096"), "memory limit of a command's process tree"),
    ("sandbox.max_pids", Some("512"), "processes a command's tree may have at once"),
    ("sandbox.tmp_mb", Some("1024"), "size of a command's private /tmp"),
    ("sandbox.file_mb", Some("1024"), "largest file a command may write"),
    ("git.author", None, "commit author, `Name <email>` (unset: the repository's user.name/email)"),
    ("git.committer", None, "committer, `Name <email>` (unset: the repository's user.name/email)"),
    (
        "git.commit_messages",
        Some("\"model\""),
        "model (the model writes each commit message from the diff) | derived (from the changed paths)",
    ),
    ("git.commit_model", None, "model that writes commit messages (unset: the run's model)"),
    ("git.timeout_secs", Some("60"), "longest wait for a git server when pushing (to connect, and between reads)"),
];

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(&'static str),
    Flag(&'static str),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Default => write!(f, "default"),
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Env(v) => write!(f, "env {v}"),
            Source::Flag(n) => write!(f, "flag {n}"),
        }
    }
}

/// The effective configuration.
pub struct Config {
    values: BTreeMap<String, (Value, Source)>,
    pub api_key: Option<String>,
}

impl Config {
    /// Loads every layer for a repository at `repo`, then applies `flags`.
    pub fn load(repo: &Path, flags: &ModelFlags) -> Result<Self> {
        let mut c = Config { values: BTreeMap::new(), api_key: None };
        for (key, default, _) in KEYS {
            if let Some(d) = default {
                let value: Value =
                    toml::from_str::<toml::Table>(&format!("v = {d}"))?.remove("v").context("default")?;
                c.values.insert(key.to_string(), (value, Source::Default));
            }
        }
        c.file(&crate::dirs::user_config())?;
        c.file(&repo.join("wright.toml"))?;
        c.env("OPENAI_BASE_URL", "base_url");
        c.env("WRIGHT_MODEL", "model");
        c.env("WRIGHT_TOOL_FORMAT", "tool_format");
        c.env("WRIGHT_TEST_COMMAND", "test_command");
        c.api_key = std::env::var("OPENAI_API_KEY").ok().filter(|k| !k.trim().is_empty());
        if let Some(m) = &flags.model {
            c.set("model", Value::String(m.clone()), Source::Flag("--model"));
        }
        if let Some(u) = &flags.base_url {
            c.set("base_url", Value::String(u.clone()), Source::Flag("--base-url"));
        }
        if flags.no_stream {
            c.set("stream", Value::Boolean(false), Source::Flag("--no-stream"));
        }
        if let Some(f) = flags.tool_format {
            let name = match f {
                ToolFormatArg::Native => "native",
                ToolFormatArg::Text => "text",
                ToolFormatArg::Auto => "auto",
            };
            c.set("tool_format", Value::String(name.into()), Source::Flag("--tool-format"));
        }
        Ok(c)
    }

    fn file(&mut self, path: &Path) -> Result<()> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let table: toml::Table = toml::from_str(&text).map_err(|e| usage(format!("{}: {e}", path.display())))?;
        for (key, value) in table {
            match value {
                // One level of sections: [sandbox] env = [...] becomes `sandbox.env`;
                // [prices.MODEL] becomes `prices.MODEL`.
                Value::Table(section) if matches!(key.as_str(), "sandbox" | "prices" | "git") => {
                    for (sub, v) in section {
                        self.set(&format!("{key}.{sub}"), v, Source::File(path.to_path_buf()));
                    }
                }
                v => {
                    if !KEYS.iter().any(|(k, _, _)| *k == key) {
                        eprintln!("warning: {}: unknown key `{key}` ignored (see `wright config`)", path.display());
                    }
                    self.set(&key, v, Source::File(path.to_path_buf()));
                }
            }
        }
        Ok(())
    }

    fn env(&mut self, var: &'static str, key: &str) {
        if let Ok(v) = std::env::var(var).map(|v| v.trim().to_string())
            && !v.is_empty()
        {
            self.set(key, Value::String(v), Source::Env(var));
        }
    }

    pub fn set(&mut self, key: &str, value: Value, source: Source) {
        self.values.insert(key.to_string(), (value, source));
    }

    pub fn str(&self, key: &str) -> Result<Option<String>> {
        match self.values.get(key) {
            None => Ok(None),
            Some((Value::String(s), _)) => Ok(Some(s.clone())),
            Some((v, src)) => Err(usage(format!("{key} must be a string, found {v} ({src})"))),
        }
    }

    pub fn int(&self, key: &str) -> Result<Option<u64>> {
        match self.values.get(key) {
            None => Ok(None),
            Some((Value::Integer(i), _)) if *i >= 0 => Ok(Some(*i as u64)),
            Some((v, src)) => Err(usage(format!("{key} must be a non-negative integer, found {v} ({src})"))),
        }
    }

    pub fn float(&self, key: &str) -> Result<Option<f64>> {
        match self.values.get(key) {
            None => Ok(None),
            Some((Value::Float(f), _)) => Ok(Some(*f)),
            Some((Value::Integer(i), _)) => Ok(Some(*i as f64)),
            Some((v, src)) => Err(usage(format!("{key} must be a number, found {v} ({src})"))),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>> {
        match self.values.get(key) {
            None => Ok(None),
            Some((Value::Boolean(b), _)) => Ok(Some(*b)),
            Some((v, src)) => Err(usage(format!("{key} must be true or false, found {v} ({src})"))),
        }
    }

    pub fn strings(&self, key: &str) -> Result<Vec<String>> {
        match self.values.get(key) {
            None => Ok(Vec::new()),
            Some((Value::Array(items), src)) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| usage(format!("{key} must be a list of strings ({src})")))
                })
                .collect(),
            Some((v, src)) => Err(usage(format!("{key} must be a list of strings, found {v} ({src})"))),
        }
    }

    /// `(input, output)` USD per million tokens for `model`, from `[prices.MODEL]`.
    pub fn price(&self, model: &str) -> Result<Option<wright_agent::Price>> {
        let Some((value, src)) = self.values.get(&format!("prices.{model}")) else { return Ok(None) };
        let num = |k: &str| value.get(k).and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)));
        match (num("input"), num("output")) {
            (Some(input), Some(output)) => Ok(Some(wright_agent::Price { input, output })),
            _ => Err(usage(format!(
                "prices.{model} needs numbers `input` and `output` (USD per million tokens) ({src})"
            ))),
        }
    }
}

/// `wright config`: every key, its value and its source.
pub fn show(args: ConfigArgs) -> Result<i32> {
    let c = Config::load(&args.repo, &args.model)?;
    let key_state = match &c.api_key {
        Some(_) => "set (env OPENAI_API_KEY)",
        None => "not set (export OPENAI_API_KEY; local servers need none)",
    };
    if args.json {
        let mut map = serde_json::Map::new();
        for (key, (value, source)) in &c.values {
            let v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
            map.insert(key.clone(), serde_json::json!({"value": v, "source": source.to_string()}));
        }
        map.insert("api_key".into(), serde_json::json!({"value": c.api_key.is_some(), "source": key_state}));
        println!("{}", serde_json::to_string_pretty(&map)?);
        return Ok(0);
    }
    println!("# user config: {}", crate::dirs::user_config().display());
    println!("# repo config: {}", args.repo.join("wright.toml").display());
    println!("# data dir:    {}", crate::dirs::data_dir().display());
    for (key, _, about) in KEYS {
        match c.values.get(*key) {
            Some((value, source)) => println!("{key} = {value}    # {source}; {about}"),
            None => println!("# {key} unset    # {about}"),
        }
    }
    for (key, (value, source)) in c.values.iter().filter(|(k, _)| !KEYS.iter().any(|(known, _, _)| known == k)) {
        println!("{key} = {value}    # {source}");
    }
    println!("# api key: {key_state}");
    Ok(0)
}
