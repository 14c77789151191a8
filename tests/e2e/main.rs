#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

//! End-to-end tests: the real `wright` binary against a scripted OpenAI-compatible server,
//! real git repositories in temp dirs, real commands.

mod apply_cli;
mod architecture;
mod attempts;
mod branch_options;
mod cli_errors;
mod commit_contents;
mod commit_messages;
mod config_golden;
mod definition_edits;
mod eval_sample;
mod eval_suite;
mod faults;
mod github_bot;
mod happy_path;
mod hostile_inputs;
mod hostile_sizes;
mod hostile_trees;
mod interrupts;
mod local_model;
mod mcp;
mod prompt_cache;
mod push;
mod resume;
mod resume_records;
mod run_bounds;
mod sandbox_attacks;
mod sandbox_compat;
mod search_cli;
mod submodules_lfs;
mod support;
mod terminal_escapes;
mod tool_protocol;
mod trust_boundaries;
mod verdicts;
