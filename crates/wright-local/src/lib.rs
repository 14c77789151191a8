//! A local model for wright, so a run needs no API key: the catalog of models it can
//! install (pinned by sha256), the install itself (a model file and llama.cpp's
//! `llama-server`, built from pinned sources), discovery of a model server already
//! running on this machine, and a server wright starts for one run and always stops.

// Every path here is under wright's own data directory, never a stranger's tree.
#![allow(clippy::disallowed_methods)]
#![cfg_attr(not(test), deny(clippy::string_slice))]

mod body;
mod catalog;
mod discover;
mod download;
mod error;
mod install;
mod layout;
mod managed;
mod ollama;
mod server_build;
mod wheels;

pub use catalog::{Catalog, CatalogModel};
pub use discover::{Found, ServerKind, choose, discover};
pub use error::LocalError;
pub use install::{Install, install};
pub use layout::{Installed, Layout};
pub use managed::{ManagedServer, ServerSpec};
pub use ollama::{derived_name, with_window};

/// Tokens of context wright asks a local server for when nothing else says (Ollama's
/// default of 4096 silently cuts wright's first prompt).
pub const LOCAL_WINDOW: u64 = 16_384;
