//! A tool as the run offers it to the model: its definition, and where it is shown.

use wright_llm::ToolDef;

pub(crate) struct Offered {
    pub def: ToolDef,
    /// Offered in the compact profile too.
    pub compact: bool,
    /// Called by name when the profile does not list it.
    pub callable: bool,
    /// Named in the nudge after a reply that called no tool.
    pub nudged: bool,
}
