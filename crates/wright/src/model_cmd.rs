//! `wright model ...`: install, list, remove and serve a local model.

use std::time::{Duration, Instant};

use anyhow::Result;
use wright_local::{Catalog, ManagedServer};

use crate::cli::{ModelCommand, ModelNameArgs, ModelServeArgs};
use crate::exit::usage;
use crate::local_model::layout;

pub fn run(cmd: ModelCommand) -> Result<i32> {
    match cmd {
        ModelCommand::Install(args) => install(args),
        ModelCommand::List => list(),
        ModelCommand::Remove(args) => remove(args),
        ModelCommand::Serve(args) => serve(args),
    }
}

fn install(args: ModelNameArgs) -> Result<i32> {
    let catalog = Catalog::builtin()?;
    let started = Instant::now();
    let done = crate::run_cmd::runtime()?.block_on(wright_local::install(&layout(), &catalog, args.name.as_deref()));
    let done = done.map_err(|e| match e {
        wright_local::LocalError::UnknownModel { .. } => usage(e.to_string()),
        other => other.into(),
    })?;
    let what = if done.already { "already installed" } else { "installed" };
    println!("{} {what} in {} s", done.model, started.elapsed().as_secs());
    println!("  model:  {}", done.path.display());
    println!("  server: {}", done.server.display());
    println!("A run with no OPENAI_API_KEY and no base URL now uses it: `wright run --repo DIR \"TASK\"`");
    Ok(0)
}

fn list() -> Result<i32> {
    let catalog = Catalog::builtin()?;
    let layout = layout();
    let installed = layout.installed(&catalog);
    for (i, m) in catalog.models.iter().enumerate() {
        let state = match installed.iter().find(|x| x.model.name == m.name) {
            Some(x) => format!("installed: {}", x.path.display()),
            None => format!("not installed ({} MB to download)", m.size >> 20),
        };
        let default = if i == 0 { " (default)" } else { "" };
        println!("{}{default}  {}  context {}  {state}", m.name, m.about, m.context);
    }
    let server = layout.server();
    match server.is_file() {
        true => println!("llama-server: {}", server.display()),
        false => println!("llama-server: not built (`wright model install` builds it)"),
    }
    Ok(0)
}

fn remove(args: ModelNameArgs) -> Result<i32> {
    let catalog = Catalog::builtin()?;
    let model = catalog.named(args.name.as_deref()).map_err(|e| usage(e.to_string()))?;
    match layout().remove(model)? {
        true => println!("removed {}", model.name),
        false => println!("{} was not installed", model.name),
    }
    Ok(0)
}

/// One server on a fixed loopback port, with no key (runs find it by asking that port),
/// until Ctrl-C or SIGTERM.
fn serve(args: ModelServeArgs) -> Result<i32> {
    let catalog = Catalog::builtin()?;
    let layout = layout();
    let settings = crate::config::Config::load(std::path::Path::new("."), &crate::cli::ModelFlags::default(), false)?
        .settings()?;
    let name = args.name.or(settings.local.model);
    let model = catalog.named(name.as_deref()).map_err(|e| usage(e.to_string()))?;
    if !layout.is_installed(model) {
        return Err(usage(format!("{} is not installed: run `wright model install {}` first", model.name, model.name)));
    }
    let runtime = crate::run_cmd::runtime()?;
    runtime.block_on(async {
        // Watched from the start: a Ctrl-C while the model loads stops it too.
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        let wait = Duration::from_secs(settings.local.start_timeout_secs);
        let spec = layout.server_spec(model, wait, Some(args.port));
        // Dropping a start half-way stops the server it started.
        let server = tokio::select! {
            started = ManagedServer::start(&spec) => started?,
            _ = int.recv() => return Ok(130),
            _ = term.recv() => return Ok(130),
        };
        println!("serving {} at {} (log: {}); Ctrl-C stops it", model.name, server.base_url, server.log.display());
        loop {
            tokio::select! {
                _ = int.recv() => break,
                _ = term.recv() => break,
                _ = tokio::time::sleep(Duration::from_millis(500)) => {
                    if let Some(how) = server.exited() {
                        return Err(anyhow::anyhow!("the server exited ({how}); its log: {}", server.log.display()));
                    }
                }
            }
        }
        server.stop();
        Ok(0)
    })
}
