//! `wright config`: every key, its value and its source, and what the repository's file
//! was refused.

use crate::visible::visible;
use anyhow::Result;

use super::{Config, KEYS, Trust};
use crate::cli::ConfigArgs;

pub fn show(args: ConfigArgs) -> Result<i32> {
    let c = Config::load(&args.repo, &args.model, args.trust_repo_config)?;
    let key_state = match &c.api_key {
        Some(_) => "set (env OPENAI_API_KEY)",
        None => "not set (export OPENAI_API_KEY; local servers need none)",
    };
    let trust = match c.trust {
        Trust::No => "untrusted: only the keys a repository may set apply",
        Trust::Flag => "trusted (--trust-repo-config): every key applies",
        Trust::Listed => "trusted (listed in trusted_repos): every key applies",
    };
    let keys: Vec<&String> = c.values.keys().chain(c.caps.keys()).collect();
    if args.json {
        let mut map = serde_json::Map::new();
        for key in keys {
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
    for (key, _, about) in KEYS {
        match c.effective(key) {
            Some((value, source)) => println!("{}", visible(&format!("{key} = {value}    # {source}; {about}"))),
            None => println!("# {key} unset    # {about}"),
        }
    }
    for key in keys.iter().filter(|k| !KEYS.iter().any(|(known, _, _)| *known == k.as_str())) {
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
