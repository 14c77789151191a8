//! The agent's own tools: `update_plan` and `finish`.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::offer::Offered;
use crate::tool_names::{FINISH, UPDATE_PLAN};
use crate::{Outcome, PlanStep, StepStatus};

pub(crate) fn specs() -> Vec<Offered> {
    let [plan, finish] = defs();
    vec![
        // Planning costs a small model turns it needs for the task.
        Offered { def: plan, compact: false, callable: false, nudged: true },
        // The nudge names finish apart from the others, with what it needs.
        Offered { def: finish, compact: true, callable: false, nudged: false },
    ]
}

fn defs() -> [wright_llm::ToolDef; 2] {
    [
        wright_llm::ToolDef {
            name: UPDATE_PLAN.into(),
            description: "Set the plan: ordered steps, each pending, in_progress or completed. Call it first, and again as steps finish or the plan changes.".into(),
            parameters: json!({
                "type": "object",
                "properties": {"steps": {"type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "step": {"type": "string"},
                        "status": {"type": "string", "enum": ["pending", "in_progress", "completed"]}
                    },
                    "required": ["step", "status"]
                }}},
                "required": ["steps"]
            }),
        },
        wright_llm::ToolDef {
            name: FINISH.into(),
            description: "End the task with a summary of what changed and the outcome: fixed, partial or gave_up. wright then runs the project's tests.".into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "summary": {"type": "string"},
                    "outcome": {"type": "string", "enum": ["fixed", "partial", "gave_up"]}
                },
                "required": ["summary"]
            }),
        },
    ]
}

#[derive(Deserialize)]
struct PlanArgs {
    steps: Vec<StepArg>,
}

/// A step as models write it: an object, or (small models) just the text.
#[derive(Deserialize)]
#[serde(untagged)]
enum StepArg {
    Full { step: String, status: Option<StepStatus> },
    Text(String),
}

pub(crate) fn parse_plan(args: &Value) -> Result<Vec<PlanStep>, String> {
    let a: PlanArgs = serde_json::from_value(args.clone()).map_err(|e| {
        format!("invalid arguments for update_plan: {e}; expected {{\"steps\": [{{\"step\": \"...\", \"status\": \"pending|in_progress|completed\"}}]}}")
    })?;
    if a.steps.is_empty() {
        return Err("the plan has no steps; give at least one".into());
    }
    Ok(a.steps
        .into_iter()
        .map(|s| match s {
            StepArg::Full { step, status } => PlanStep { step, status: status.unwrap_or(StepStatus::Pending) },
            StepArg::Text(step) => PlanStep { step, status: StepStatus::Pending },
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_read_leniently() {
        let steps = parse_plan(&json!({"steps": ["look", {"step": "fix", "status": "in_progress"}, {"step": "test"}]}))
            .unwrap();
        let statuses: Vec<StepStatus> = steps.iter().map(|s| s.status).collect();
        assert_eq!(statuses, vec![StepStatus::Pending, StepStatus::InProgress, StepStatus::Pending]);
        assert!(parse_plan(&json!({"steps": []})).is_err());
        assert!(parse_plan(&json!({"steps": [1]})).unwrap_err().contains("expected {\"steps\""));
    }
}

#[derive(Deserialize)]
pub(crate) struct FinishArgs {
    pub summary: String,
    /// What the model says of its work; optional, and never the verdict.
    #[serde(default)]
    pub outcome: Option<Outcome>,
}

pub(crate) fn parse_finish(args: &Value) -> Result<FinishArgs, String> {
    serde_json::from_value(args.clone())
        .map_err(|e| format!("invalid arguments for finish: {e}; expected {{\"summary\": \"...\", \"outcome\": \"fixed|partial|gave_up\"}}"))
}
