//! Argument parsing that tells the model exactly what was wrong.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ToolError;

pub(crate) fn parse<T: DeserializeOwned>(tool: &'static str, args: &Value) -> Result<T, ToolError> {
    let args = if args.is_null() { &Value::Object(Default::default()) } else { args };
    serde_json::from_value(args.clone()).map_err(|e| ToolError::InvalidArgs { tool, message: e.to_string() })
}
