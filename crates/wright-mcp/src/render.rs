//! A tool's answer as text for the model, read from its wire form (JSON): text blocks as
//! they are, structured content as JSON, and what text cannot carry (images, audio,
//! binary resources) named but not shown. The conversation quotes, caps and redacts it
//! like the output of any tool.

use serde_json::Value;

/// The text of a `tools/call` result; `Err` when the server marked it an error.
pub fn render(result: &Value) -> Result<String, String> {
    let mut parts: Vec<String> = Vec::new();
    let mut texts: Vec<&str> = Vec::new();
    for block in result.get("content").and_then(Value::as_array).into_iter().flatten() {
        let field = |k: &str| block.get(k).and_then(Value::as_str).unwrap_or_default();
        match field("type") {
            "text" => {
                texts.push(field("text"));
                parts.push(field("text").to_string());
            }
            kind @ ("image" | "audio") => {
                let bytes = field("data").len() / 4 * 3;
                parts.push(format!("[{kind} ({}, about {bytes} bytes): not shown]", field("mimeType")));
            }
            "resource" => {
                let resource = block.get("resource").cloned().unwrap_or_default();
                let of = |k: &str| resource.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
                match resource.get("text").and_then(Value::as_str) {
                    Some(text) => parts.push(format!("[resource {}]\n{text}", of("uri"))),
                    None => parts.push(format!("[resource {} ({}): binary, not shown]", of("uri"), of("mimeType"))),
                }
            }
            "resource_link" => parts.push(format!("[link to resource {} ({})]", field("uri"), field("name"))),
            other => parts.push(format!("[content of type `{other}`: not shown]")),
        }
    }
    // Servers often send their structured content as text too: as JSON, or as the one
    // string it wraps (`{"content": TEXT}`); once is enough.
    if let Some(structured) = result.get("structuredContent") {
        let joined = texts.join("\n");
        let mut leaves = Vec::new();
        leaves_of(structured, &mut leaves);
        let wraps_the_text = matches!(leaves.as_slice(), [only] if only.trim() == joined.trim());
        let already =
            texts.iter().any(|t| serde_json::from_str::<Value>(t).is_ok_and(|v| &v == structured)) || wraps_the_text;
        if !already {
            let json = serde_json::to_string_pretty(structured).unwrap_or_default();
            parts.push(format!("structured content:\n{json}"));
        }
    }
    let text = if parts.is_empty() { "(the tool returned nothing)".to_string() } else { parts.join("\n") };
    if result.get("isError").and_then(Value::as_bool) == Some(true) { Err(text) } else { Ok(text) }
}

/// The scalar values of `value`, as text.
fn leaves_of(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map.values().for_each(|v| leaves_of(v, out)),
        Value::Array(items) => items.iter().for_each(|v| leaves_of(v, out)),
        Value::String(s) => out.push(s.clone()),
        Value::Null => {}
        other => out.push(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_structured_content_and_what_text_cannot_carry() {
        let result = json!({"content": [
            {"type": "text", "text": "two hits"},
            {"type": "image", "data": "aGVsbG8h", "mimeType": "image/png"},
            {"type": "resource", "resource": {"uri": "file:///a.md", "text": "# A"}},
            {"type": "resource", "resource": {"uri": "file:///b.bin", "blob": "AAAA", "mimeType": "application/octet-stream"}},
            {"type": "resource_link", "uri": "file:///c", "name": "c"},
            {"type": "hologram"}
        ], "structuredContent": {"hits": 2}});
        assert_eq!(
            render(&result).unwrap(),
            "two hits\n[image (image/png, about 6 bytes): not shown]\n[resource file:///a.md]\n# A\n\
             [resource file:///b.bin (application/octet-stream): binary, not shown]\n[link to resource file:///c (c)]\n\
             [content of type `hologram`: not shown]\nstructured content:\n{\n  \"hits\": 2\n}"
        );
    }

    #[test]
    fn structured_content_sent_as_text_too_is_shown_once_and_errors_are_errors() {
        let result = json!({"content": [{"type": "text", "text": "{\"hits\": 2}"}], "structuredContent": {"hits": 2}});
        assert_eq!(render(&result).unwrap(), "{\"hits\": 2}");
        let wrapped = json!({"content": [{"type": "text", "text": "Wrote a.txt"}], "structuredContent": {"content": "Wrote a.txt"}});
        assert_eq!(render(&wrapped).unwrap(), "Wrote a.txt");
        let more = json!({"content": [{"type": "text", "text": "12 results"}], "structuredContent": {"ids": [1, 2], "total": 12}});
        assert!(render(&more).unwrap().contains("\"ids\""), "values the text only seems to hold keep it");
        assert_eq!(render(&json!({"content": [], "isError": true})), Err("(the tool returned nothing)".into()));
        assert_eq!(
            render(&json!({"content": [{"type": "text", "text": "no such page"}], "isError": true})),
            Err("no such page".into())
        );
    }
}
