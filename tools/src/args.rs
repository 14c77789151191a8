//! Argument parsing that forgives the usual slips of models and tells them exactly what
//! was wrong otherwise.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::ToolError;

/// Names models often use for wright's argument names (from other agents' tool sets).
const ALIASES: &[(&str, &str)] = &[
    ("file_path", "path"),
    ("filepath", "path"),
    ("filename", "path"),
    ("file", "path"),
    ("old_str", "old"),
    ("old_string", "old"),
    ("old_text", "old"),
    ("search", "old"),
    ("new_str", "new"),
    ("new_string", "new"),
    ("new_text", "new"),
    ("replace", "new"),
    ("new_definition", "new"),
    ("new_code", "new"),
    ("name", "symbol"),
    ("function", "symbol"),
    ("function_name", "symbol"),
    ("symbol_name", "symbol"),
    ("cmd", "command"),
    ("timeout", "timeout_secs"),
    ("diff", "patch"),
    ("pattern", "query"),
    ("start", "start_line"),
    ("end", "end_line"),
];

pub(crate) fn parse<T: DeserializeOwned>(tool: &str, args: &Value) -> Result<T, ToolError> {
    let mut map = match args {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        other => {
            let message = format!("expected a JSON object, got {other}");
            return Err(ToolError::InvalidArgs { tool: tool.to_string(), message });
        }
    };
    for (alias, name) in ALIASES {
        if !map.contains_key(*name)
            && let Some(v) = map.remove(*alias)
        {
            map.insert(name.to_string(), v);
        }
    }
    serde_json::from_value(Value::Object(map))
        .map_err(|e| ToolError::InvalidArgs { tool: tool.to_string(), message: e.to_string() })
}

/// `args` with values whose meaning is unambiguous turned into the types `schema` asks
/// for (`"10"` for an integer is 10); a value that cannot mean what is asked (`true` for a
/// line number) is left out. The notes say what was left out.
pub(crate) fn coerce(schema: &Value, args: &Value) -> (Value, Vec<String>) {
    let (Some(props), Value::Object(map)) = (schema.get("properties").and_then(Value::as_object), args) else {
        return (args.clone(), Vec::new());
    };
    let mut out = map.clone();
    let mut notes = Vec::new();
    for (key, value) in map {
        let wanted = props.get(key).and_then(|p| p.get("type")).and_then(Value::as_str);
        let fixed = match (wanted, value) {
            (Some("integer"), Value::String(s)) => s.trim().parse::<i64>().ok().map(Value::from),
            (Some("integer"), Value::Number(n)) if n.as_i64().is_none() => {
                n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e15).map(|f| Value::from(f as i64))
            }
            (Some("integer"), Value::Null) => {
                out.remove(key);
                None
            }
            (Some("integer"), Value::Bool(_)) => {
                out.remove(key);
                notes.push(format!("`{key}` was {value}, not a number; it was left out"));
                None
            }
            (Some("string"), Value::Number(n)) => Some(Value::String(n.to_string())),
            _ => None,
        };
        if let Some(fixed) = fixed {
            out.insert(key.clone(), fixed);
        }
    }
    (Value::Object(out), notes)
}

/// `path, start_line?, end_line?`: a tool's arguments in schema order, required first.
pub fn signature(parameters: &Value) -> String {
    let Some(props) = parameters.get("properties").and_then(Value::as_object) else { return String::new() };
    let required: Vec<&str> = parameters
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let optional = props.keys().filter(|k| !required.contains(&k.as_str())).map(|k| format!("{k}?"));
    required.iter().map(|k| k.to_string()).chain(optional).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unambiguous_values_are_coerced_and_meaningless_ones_dropped() {
        let schema = serde_json::json!({"properties": {
            "start_line": {"type": "integer"}, "end_line": {"type": "integer"}, "path": {"type": "string"}
        }});
        let args = serde_json::json!({"start_line": "10", "end_line": true, "path": 7, "other": "x"});
        let (fixed, notes) = coerce(&schema, &args);
        assert_eq!(fixed, serde_json::json!({"start_line": 10, "path": "7", "other": "x"}));
        assert_eq!(notes, ["`end_line` was true, not a number; it was left out"]);
        let (same, none) = coerce(&schema, &serde_json::json!({"start_line": "ten"}));
        assert_eq!((same, none.len()), (serde_json::json!({"start_line": "ten"}), 0));
    }
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    struct A {
        path: String,
        old: Option<String>,
    }

    #[test]
    fn aliases_fill_missing_names_only() {
        let a: A = parse("t", &json!({"file_path": "x.py", "old_string": "o"})).unwrap();
        assert_eq!((a.path.as_str(), a.old.as_deref()), ("x.py", Some("o")));
        let a: A = parse("t", &json!({"path": "real.py", "file": "other.py"})).unwrap();
        assert_eq!(a.path, "real.py");
        assert!(parse::<A>("t", &json!("x")).unwrap_err().to_string().contains("expected a JSON object"));
    }

    #[test]
    fn signatures_list_required_first() {
        let s = signature(&json!({"properties": {"b": {}, "a": {}, "path": {}}, "required": ["path"]}));
        assert_eq!(s, "path, a?, b?");
    }
}
