//! The `wright` command line.

// Test fixtures are written with std::fs; production code keeps to wright-tree.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod apply_cmd;
mod branch_cmd;
mod cli;
mod config;
mod dirs;
mod eval_cmd;
mod exit;
mod github;
mod index_cache;
mod install_python;
mod local_model;
mod mcp_cmd;
mod model_cmd;
mod render;
mod review_cmd;
mod run_cmd;
mod runs;
mod sandbox_cmd;
mod search_cmd;
mod visible;

use clap::Parser;

fn main() {
    // wright is also the wasm backend's runner, started inside the sandbox; it takes no
    // other part of the command line and touches no configuration.
    // `args_os`: an argument that is not UTF-8 must not panic (`std::env::args` would).
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|a| a == wright_sandbox::RUNNER_SUBCOMMAND) {
        std::process::exit(wright_sandbox::runner_main(args.map(|a| a.to_string_lossy().into_owned())));
    }
    let cli = cli::Cli::parse();
    // A panic is a bug (no input may cause one); the hook has printed it, and a run's hook
    // recorded it in the journal. Exit as for any error, not with a bare 101.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dispatch(cli))).unwrap_or_else(|_| {
        Err(anyhow::anyhow!(
            "wright hit an internal error (a bug, reported above); committed changes are safe on the run's branch"
        ))
    });
    let code = result.unwrap_or_else(|e| {
        eprintln!("error: {}", crate::visible::visible(&format!("{e:#}")));
        exit::exit_code_of(&e)
    });
    std::process::exit(code);
}

fn dispatch(cli: cli::Cli) -> anyhow::Result<i32> {
    match cli.command {
        cli::Command::Run(args) => run_cmd::run(args),
        cli::Command::Resume(args) => run_cmd::resume(args),
        cli::Command::Log(args) => review_cmd::log(args),
        cli::Command::Show(args) => review_cmd::show(args),
        cli::Command::Undo(args) => branch_cmd::undo(args),
        cli::Command::Clean(args) => branch_cmd::clean(args),
        cli::Command::Push(args) => branch_cmd::push(args),
        cli::Command::Config(args) => config::show(args, local_model::preview_now),
        cli::Command::Apply(args) => apply_cmd::run(args),
        cli::Command::Index(args) => search_cmd::index(args),
        cli::Command::Search(args) => search_cmd::run(args),
        cli::Command::Sandbox(cmd) => sandbox_cmd::run(cmd),
        cli::Command::Eval(cmd) => eval_cmd::run(cmd),
        cli::Command::Github(args) => github::run(args),
        cli::Command::Model(cmd) => model_cmd::run(cmd),
        cli::Command::Mcp(cmd) => mcp_cmd::run(cmd),
    }
}
