//! No API key and no base URL: a model on this machine instead of an error. First a
//! server already running on a usual loopback port (never sent a key), else the installed
//! model on a server wright starts for this run and stops after it, else an error naming
//! both ways out. `wright github` never comes here: the bot needs an explicit endpoint.

use std::time::Duration;

use anyhow::Result;
use wright_local::{Catalog, Layout, ManagedServer, ServerKind};

use crate::config::{Config, Source};
use crate::exit::usage;

/// Where `wright model install` puts models and the server.
pub(crate) fn layout() -> Layout {
    Layout::new(crate::dirs::data_dir().join("models"))
}

/// Whether the user named neither a key nor an endpoint.
pub(crate) fn wanted(config: &Config) -> bool {
    config.api_key.is_none() && config.named_endpoint().is_none()
}

/// What the run uses when `wanted`: sets `base_url` and `model` (and the key a started
/// server checks) in `config`. The server returned must live as long as the run.
pub(crate) async fn choose(config: &mut Config) -> Result<Option<ManagedServer>> {
    if !wanted(config) {
        return Ok(None);
    }
    let settings = config.settings()?;
    if discovered(config, &settings.local.ports, settings.context_tokens, Look::Use).await? {
        return Ok(None);
    }
    let catalog = Catalog::builtin()?;
    let layout = layout();
    let model = catalog.named(settings.local.model.as_deref()).map_err(|e| usage(e.to_string()))?;
    if !layout.is_installed(model) {
        return Err(usage(nothing_found(&settings.local.ports, &model.name)));
    }
    eprintln!("wright: no API key and no base URL: starting the installed {} (loading it takes a moment)", model.name);
    let wait = Duration::from_secs(settings.local.start_timeout_secs);
    let server = ManagedServer::start(&layout.server_spec(model, wait, None)).await?;
    config.set_endpoint(&server.base_url, &model.name, Source::Managed);
    config.api_key = server.api_key.clone();
    config.add_notice(announce(&model.name, &server.base_url, "started by wright for this run"));
    Ok(Some(server))
}

/// Whether a discovered Ollama may be changed (its window set), or only looked at.
#[derive(PartialEq)]
enum Look {
    Use,
    Only,
}

/// A running server on `ports`, chosen and set in `config`; `false` when there is none.
async fn discovered(config: &mut Config, ports: &[u16], context_tokens: Option<u64>, look: Look) -> Result<bool> {
    let found = wright_local::discover(ports, Duration::from_secs(1)).await;
    let configured = config.named_model();
    let Some((server, mut model)) =
        wright_local::choose(&found, configured.as_deref()).map_err(|e| usage(e.to_string()))?
    else {
        return Ok(false);
    };
    let source = Source::Discovered(server.port);
    if server.kind == ServerKind::Ollama {
        let window = context_tokens.unwrap_or(wright_local::LOCAL_WINDOW);
        model = match look {
            Look::Use => {
                wright_local::with_window(&server.base_url, &model, window).await.map_err(|e| usage(e.to_string()))?
            }
            Look::Only => wright_local::derived_name(&model, window),
        };
        if context_tokens.is_none() {
            config.set_context_tokens(window, source.clone());
        }
    }
    config.set_endpoint(&server.base_url, &model, source);
    config.add_notice(announce(&model, &server.base_url, "a server already running on this machine"));
    Ok(true)
}

/// `preview` on a runtime of its own; whether a local model applies at all.
pub(crate) fn preview_now(config: &mut Config) -> Result<bool> {
    let wanted = wanted(config);
    // A small runtime of its own: a few requests to loopback ports.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(preview(config))?;
    Ok(wanted)
}

/// What `wright config` shows: the server a run would find, or the model it would start,
/// without starting anything. What would stop a run is a notice here, not an error.
pub(crate) async fn preview(config: &mut Config) -> Result<()> {
    if !wanted(config) {
        return Ok(());
    }
    let settings = config.settings()?;
    match discovered(config, &settings.local.ports, settings.context_tokens, Look::Only).await {
        Ok(true) => return Ok(()),
        Ok(false) => {}
        Err(e) => {
            config.add_notice(format!("a run would stop: {e:#}"));
            return Ok(());
        }
    }
    let catalog = Catalog::builtin()?;
    let model = match catalog.named(settings.local.model.as_deref()) {
        Ok(m) => m,
        Err(e) => {
            config.add_notice(format!("a run would stop: {e}"));
            return Ok(());
        }
    };
    if layout().is_installed(model) {
        config.set_endpoint("http://127.0.0.1:<a free port>/v1", &model.name, Source::Managed);
    } else {
        config.add_notice(nothing_found(&settings.local.ports, &model.name));
    }
    Ok(())
}

fn announce(model: &str, base_url: &str, what: &str) -> String {
    format!(
        "local model: {model} at {base_url} ({what}). A local model is slower and weaker than a hosted one; \
         `export OPENAI_API_KEY=...` to use one"
    )
}

fn nothing_found(ports: &[u16], model: &str) -> String {
    let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
    format!(
        "no model to use: OPENAI_API_KEY and the base URL are unset, no model server answers on this machine \
         (ports {}), and {model} is not installed. Either `export OPENAI_API_KEY=...` for a hosted model, \
         or run `wright model install {model}` once (about 5 minutes on 2 cores) to use a local one",
        ports.join(", ")
    )
}
