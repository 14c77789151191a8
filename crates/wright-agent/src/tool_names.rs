//! The names of the tools the loop answers itself: the one place the agent crate names a
//! tool. What the loop needs to know of any other tool, the tool declares (see
//! `wright_tools::Tool`).

pub(crate) const UPDATE_PLAN: &str = "update_plan";
pub(crate) const FINISH: &str = "finish";
