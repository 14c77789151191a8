//! `wright index` and `wright search`: the agent's index and search, for people and scripts.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use wright_index::{Index, SearchKind, location};

use crate::cli::{IndexArgs, KindArg, SearchArgs};
use crate::dirs::cache_dir;
use crate::exit::usage;

pub fn index(args: IndexArgs) -> Result<i32> {
    let index = open(&args.repo, true)?;
    let stats = index.1;
    if args.json {
        println!("{}", serde_json::to_string(&stats)?);
    } else {
        let mb = stats.bytes as f64 / 1e6;
        println!(
            "indexed {} files, {:.1} MB in {:.2} s ({} added, {} changed, {} removed; {} skipped)",
            stats.files,
            mb,
            stats.seconds,
            stats.added,
            stats.changed,
            stats.removed,
            stats.skipped.total()
        );
        println!("index: {} ({:.1} MB)", index.0.dir().display(), index.0.disk_bytes() as f64 / 1e6);
    }
    index.0.close()?;
    Ok(0)
}

pub fn run(args: SearchArgs) -> Result<i32> {
    let query = if args.query == "-" {
        let mut q = String::new();
        std::io::stdin().read_to_string(&mut q).context("reading the query from stdin")?;
        q
    } else {
        args.query.clone()
    };
    let kind = match args.kind {
        KindArg::Text => SearchKind::Text,
        KindArg::Symbol => SearchKind::Symbol,
        KindArg::Regex => SearchKind::Regex,
    };
    let (index, _) = open(&args.repo, false)?;
    let results = index.search(&query, kind, args.limit).map_err(|e| usage(e.to_string()))?;
    if args.json {
        println!("{}", serde_json::to_string(&results.hits)?);
    } else {
        for h in &results.hits {
            let symbol = h.symbol.as_deref().map(|s| format!(" [{s}]")).unwrap_or_default();
            let line = format!("{}:{}-{}{}: {}", h.path, h.start_line, h.end_line, symbol, h.snippet);
            println!("{}", crate::visible::visible(&line));
        }
        if results.more > 0 {
            let at_least = if results.more_exact { "" } else { "at least " };
            eprintln!("({at_least}{} more; raise --limit)", results.more);
        }
    }
    index.close()?;
    Ok(0)
}

/// Opens the repository's base index and brings it up to date, with a progress line on a terminal.
fn open(repo: &Path, progress: bool) -> Result<(Index, wright_index::UpdateStats)> {
    if !repo.is_dir() {
        return Err(usage(format!("--repo {} is not a directory; point it at a repository", repo.display())));
    }
    location::remember(&cache_dir(), repo)?;
    let mut index = Index::open(repo, &location::base_dir(&cache_dir(), repo))?;
    let show = progress && std::io::stderr().is_terminal();
    let mut report = |done: usize, total: usize| {
        if show {
            let width = 30;
            let filled = (done * width).checked_div(total).unwrap_or(width);
            eprint!("\r[{}{}] {done}/{total} files", "#".repeat(filled), " ".repeat(width - filled));
            let _ = std::io::stderr().flush();
        }
    };
    let stats = index.update(&mut report)?;
    if show {
        eprint!("\r\x1b[2K");
    }
    Ok((index, stats))
}
