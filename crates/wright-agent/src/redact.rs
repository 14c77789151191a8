//! Secret values never appear in anything wright writes.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// `(name, value)`, longest values first so overlapping secrets redact whole.
    secrets: Vec<(String, String)>,
}

impl Redactor {
    pub fn new(mut secrets: Vec<(String, String)>) -> Self {
        secrets.retain(|(_, v)| v.len() >= 6);
        secrets.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
        Redactor { secrets }
    }

    /// This redactor, hiding `more` too.
    pub fn and(self, more: Vec<(String, String)>) -> Self {
        let mut secrets = self.secrets;
        secrets.extend(more);
        Redactor::new(secrets)
    }

    /// Redactor for the secret-looking variables of this process's environment.
    pub fn from_env() -> Self {
        Redactor::new(wright_sandbox::secret_values())
    }

    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (name, value) in &self.secrets {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), &format!("[REDACTED:{name}]"));
            }
        }
        out
    }

    /// Splits streamed text into what can be shown now (redacted) and a tail to hold back
    /// because it could be the start of a secret that the next delta completes.
    pub fn split_stream(&self, text: &str) -> (String, String) {
        let text = self.text(text);
        let hold = text
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| self.secrets.iter().any(|(_, v)| text.get(i..).is_some_and(|rest| v.starts_with(rest))))
            .unwrap_or(text.len());
        let (show, held) = text.split_at_checked(hold).unwrap_or((&text, ""));
        (show.to_string(), held.to_string())
    }

    /// `item` (an event) with the secrets replaced in each of its strings.
    pub fn redacted<T: Serialize + DeserializeOwned>(&self, item: T) -> T {
        if self.secrets.is_empty() {
            return item;
        }
        let Ok(mut value) = serde_json::to_value(&item) else { return item };
        self.value(&mut value);
        serde_json::from_value(value).unwrap_or(item)
    }

    fn value(&self, v: &mut Value) {
        match v {
            Value::String(s) => *s = self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|i| self.value(i)),
            Value::Object(map) => map.values_mut().for_each(|i| self.value(i)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Event, EventKind};

    #[test]
    fn a_secret_split_across_deltas_is_held_back() {
        let r = Redactor::new(vec![("K".into(), "sk-secret-123".into())]);
        let (show, hold) = r.split_stream("my key is sk-sec");
        assert_eq!((show.as_str(), hold.as_str()), ("my key is ", "sk-sec"));
        let (show, hold) = r.split_stream(&format!("{hold}ret-123 ok"));
        assert_eq!((show.as_str(), hold.as_str()), ("[REDACTED:K] ok", ""));
    }

    #[test]
    fn secrets_are_replaced_in_events() {
        let r = Redactor::new(vec![("OPENAI_API_KEY".into(), "sk-secret-123".into()), ("X".into(), "abc".into())]);
        let e = Event {
            schema: 1,
            run_id: "r".into(),
            seq: 0,
            ts: "t".into(),
            kind: EventKind::Notice { message: "key is sk-secret-123, abc stays".into() },
        };
        let out = r.redacted(e);
        assert_eq!(out.kind, EventKind::Notice { message: "key is [REDACTED:OPENAI_API_KEY], abc stays".into() });
    }
}
