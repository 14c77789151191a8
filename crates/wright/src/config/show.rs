//! `wright config`: every setting, its value and its source, and what the repository's
//! file was refused. It shows the layers as they are, a value of the wrong type included:
//! `settings` refuses that when a command reads it.

use crate::visible::visible;
use anyhow::Result;

use super::field::Shape;
use super::known;
use super::{Config, Source, Trust};
use crate::cli::ConfigArgs;

/// `local` sets what a run would use when no key and no endpoint are named (found, or
/// started: nothing is started here), and says whether it applied.
pub fn show(args: ConfigArgs, local: impl FnOnce(&mut Config) -> Result<bool>) -> Result<i32> {
    let mut c = Config::load(&args.repo, &args.model, args.trust_repo_config)?;
    let local = local(&mut c)?;
    let found = c.effective("base_url").is_some_and(|(_, s)| matches!(s, Source::Discovered(_) | Source::Managed));
    let key_state = match (&c.api_key, local, found) {
        (Some(_), _, _) => "set (env OPENAI_API_KEY)",
        (None, true, true) => "not set: a run uses a model on this machine (base_url's source says which)",
        (None, true, false) => "not set, and no model on this machine was found (see the notice)",
        (None, false, _) => "not set (export OPENAI_API_KEY; local servers need none)",
    };
    let trust = match c.trust {
        Trust::No => "untrusted: only the keys a repository may set apply",
        Trust::Flag => "trusted (--trust-repo-config): every key applies",
        Trust::Listed => "trusted (listed in trusted_repos): every key applies",
    };
    if args.json {
        let mut map = serde_json::Map::new();
        for key in c.keys() {
            if let Some((value, source)) = c.effective(key) {
                let v = serde_json::to_value(&value).unwrap_or(serde_json::Value::Null);
                map.insert(key.clone(), serde_json::json!({"value": v, "source": source.to_string()}));
            }
        }
        map.insert("api_key".into(), serde_json::json!({"value": c.api_key.is_some(), "source": key_state}));
        map.insert(
            "repo_config".into(),
            serde_json::json!({"path": c.repo_file.display().to_string(), "trust": trust, "refused": c.refused}),
        );
        println!("{}", serde_json::to_string_pretty(&map)?);
        return Ok(0);
    }
    println!("# user config: {}", crate::dirs::user_config().display());
    println!("# repo config: {} ({trust})", c.repo_file.display());
    println!("# data dir:    {}", crate::dirs::data_dir().display());
    let values = known::fields().iter().filter(|f| f.shape == Shape::Value);
    for f in values.clone() {
        match c.effective(&f.key) {
            Some((value, source)) => {
                println!("{}", visible(&format!("{} = {value}    # {source}; {}", f.key, f.about)))
            }
            None => println!("# {} unset    # {}", f.key, f.about),
        }
    }
    // Entries (`prices.MODEL`) and unknown keys, in order.
    for key in c.keys().filter(|k| !values.clone().any(|f| f.key == **k)) {
        if let Some((value, source)) = c.effective(key) {
            println!("{}", visible(&format!("{key} = {value}    # {source}")));
        }
    }
    if !c.refused.is_empty() {
        println!("# refused from {}: {}", c.repo_file.display(), c.refused.join(", "));
    }
    for notice in c.notices() {
        println!("# notice: {}", visible(notice));
    }
    println!("# api key: {key_state}");
    Ok(0)
}
