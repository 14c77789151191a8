//! `wright search`: the agent's search, for people and scripts.

use std::io::Read;

use anyhow::{Context, Result};
use wright_index::SearchKind;

use crate::cli::{KindArg, SearchArgs};
use crate::exit::usage;

pub fn run(args: SearchArgs) -> Result<i32> {
    let query = if args.query == "-" {
        let mut q = String::new();
        std::io::stdin().read_to_string(&mut q).context("reading the query from stdin")?;
        q
    } else {
        args.query.clone()
    };
    if !args.repo.is_dir() {
        return Err(usage(format!("--repo {} is not a directory", args.repo.display())));
    }
    let kind = match args.kind {
        KindArg::Text => SearchKind::Text,
        KindArg::Symbol => SearchKind::Symbol,
        KindArg::Regex => SearchKind::Regex,
    };
    let results = wright_index::search(&args.repo, &query, kind, args.limit).map_err(|e| usage(e.to_string()))?;
    if args.json {
        println!("{}", serde_json::to_string(&results.hits)?);
    } else {
        for h in &results.hits {
            let symbol = h.symbol.as_deref().map(|s| format!(" [{s}]")).unwrap_or_default();
            println!("{}:{}{}: {}", h.path, h.start_line, symbol, h.snippet);
        }
        if results.more > 0 {
            eprintln!("({} more; raise --limit)", results.more);
        }
    }
    Ok(0)
}
