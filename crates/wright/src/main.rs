//! The `wright` command line.

mod apply_cmd;
mod cli;
mod config;
mod dirs;
mod eval_cmd;
mod exit;
mod render;
mod run_cmd;
mod sandbox_cmd;
mod search_cmd;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Run(args) => run_cmd::run(args),
        cli::Command::Config(args) => config::show(args),
        cli::Command::Apply(args) => apply_cmd::run(args),
        cli::Command::Index(args) => search_cmd::index(args),
        cli::Command::Search(args) => search_cmd::run(args),
        cli::Command::Sandbox(cmd) => sandbox_cmd::run(cmd),
        cli::Command::Eval(cmd) => eval_cmd::run(cmd),
    };
    let code = code.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        exit::exit_code_of(&e)
    });
    std::process::exit(code);
}
