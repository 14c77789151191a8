//! wright's own tools. A new built-in tool is a file of its own and one line here.

use std::sync::Arc;

use crate::Toolbox;
use crate::fs_tools::{GitDiff, ReadFile};
use crate::patch_tools::{ApplyPatch, Edit};
use crate::replace_definition::ReplaceDefinition;
use crate::repo_map_tool::RepoMap;
use crate::run_tool::Run;
use crate::search_tool::Search;

impl Toolbox {
    /// The built-in tools, in the order the model is shown them.
    pub fn builtin() -> Toolbox {
        // Their names are distinct (the test below holds it), so none hides another.
        Toolbox::of(vec![
            Arc::new(ReadFile),
            Arc::new(Search),
            Arc::new(RepoMap),
            Arc::new(ReplaceDefinition),
            Arc::new(Edit),
            Arc::new(ApplyPatch),
            Arc::new(Run),
            Arc::new(GitDiff),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_tool_is_registered_once() {
        let names: Vec<String> = Toolbox::builtin().specs().into_iter().map(|s| s.name.into_owned()).collect();
        assert_eq!(
            names,
            ["read_file", "search", "repo_map", "replace_definition", "edit", "apply_patch", "run", "git_diff"]
        );
        let err = Toolbox::builtin().register(Run).err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("a tool called `run` is registered already"));
    }
}
