//! `wright apply`: the edit engine without the agent. Exit 0 when the patch applied (or,
//! with `--check`, would apply), 1 when it was refused, with the reason on stderr.

use std::io::Read;

use anyhow::{Context, Result};

use crate::cli::ApplyArgs;
use crate::exit::usage;

#[allow(clippy::disallowed_methods)] // the patch file the user named
pub fn run(args: ApplyArgs) -> Result<i32> {
    if !args.repo.is_dir() {
        return Err(usage(format!("--repo {} is not a directory", args.repo.display())));
    }
    let patch = if args.patch.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("reading the patch from stdin")?;
        text
    } else {
        std::fs::read_to_string(&args.patch).map_err(|e| usage(format!("{}: {e}", args.patch.display())))?
    };
    match wright_tools::apply_to_tree(&args.repo, &patch, args.check) {
        Ok(applied) => {
            eprint!("{}", crate::visible::visible(&wright_tools::recovered_note(&applied.recovered)));
            let verb = if args.check { "would apply" } else { "applied" };
            eprintln!("{verb}: {}", crate::visible::visible(&applied.summary));
            Ok(0)
        }
        Err(e) => {
            eprintln!("refused: {}", crate::visible::visible(&e.to_string()));
            Ok(1)
        }
    }
}
