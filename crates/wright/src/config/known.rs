//! Every setting wright knows, from the declarations in `settings.rs`: looked up by the
//! key a file, the environment or a flag gives.

use std::sync::LazyLock;

use super::Settings;
use super::field::{Declared, Field, RepoRule, Setting, Shape};

/// Every setting, in declaration order.
pub fn fields() -> &'static [Field] {
    static FIELDS: LazyLock<Vec<Field>> = LazyLock::new(|| {
        let mut out = Vec::new();
        let root = Declared { key: String::new(), about: "", repo: RepoRule::UserOnly };
        <Settings as Setting>::describe(root, &mut out);
        out
    });
    &FIELDS
}

/// The setting `key` names: a value's own key, or an entry of a table of entries.
pub fn find(key: &str) -> Option<&'static Field> {
    fields().iter().find(|f| match f.shape {
        Shape::Value => f.key == key,
        Shape::Entries => {
            key.strip_prefix(f.key.as_str()).and_then(|k| k.strip_prefix('.')).is_some_and(|n| !n.is_empty())
        }
    })
}

/// Whether `key` names a table of settings (`sandbox`) or of entries (`prices`): a file's
/// `[key]` section holds its keys.
pub fn is_table(key: &str) -> bool {
    fields().iter().any(|f| match f.shape {
        Shape::Value => f.key.strip_prefix(key).is_some_and(|rest| rest.starts_with('.')),
        Shape::Entries => f.key == key,
    })
}
