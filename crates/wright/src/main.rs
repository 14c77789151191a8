//! The `wright` command line.

mod apply_cmd;
mod branch_cmd;
mod cli;
mod config;
mod dirs;
mod eval_cmd;
mod exit;
mod install_python;
mod render;
mod review_cmd;
mod run_cmd;
mod runs;
mod sandbox_cmd;
mod search_cmd;

use clap::Parser;

fn main() {
    // wright is also the wasm backend's runner, started inside the sandbox; it takes no
    // other part of the command line and touches no configuration.
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some(wright_sandbox::RUNNER_SUBCOMMAND) {
        std::process::exit(wright_sandbox::runner_main(args));
    }
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Run(args) => run_cmd::run(args),
        cli::Command::Resume(args) => run_cmd::resume(args),
        cli::Command::Log(args) => review_cmd::log(args),
        cli::Command::Show(args) => review_cmd::show(args),
        cli::Command::Undo(args) => branch_cmd::undo(args),
        cli::Command::Clean(args) => branch_cmd::clean(args),
        cli::Command::Push(args) => branch_cmd::push(args),
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
