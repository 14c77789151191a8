//! What a setting's declaration says of it: its key, what it means, what a repository may
//! do with it, and what a value must be. `settings!` declares a table of settings and
//! describes it; no other list of keys exists.

use std::collections::BTreeMap;

use toml::Value;

/// What a repository's own `wright.toml` may do with a setting. The repository is input
/// from strangers (a fork's branch, a cloned project), so a setting declared without a
/// rule, including one added later, is the user's alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoRule {
    /// The user's, or a repository's the user trusts.
    UserOnly,
    /// A layer above the user's file, below the environment and flags.
    Any,
    /// Only the smaller of the repository's value and what the other layers give holds.
    Lower,
    /// The user's own file only, never a repository's, even a trusted one: the setting
    /// says where the user's credentials go, and a repository would name its own host.
    UserFile,
}

/// How a setting is written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One value: `max_steps = 40`, or `env = [...]` under `[sandbox]`.
    Value,
    /// Named entries of one kind: `[prices.MODEL]`, each known as `prices.MODEL`.
    Entries,
}

/// One setting, as its declaration describes it.
#[derive(Debug, Clone)]
pub struct Field {
    /// The dotted key: `max_steps`, `sandbox.env`; for entries, the table's own name.
    pub key: String,
    /// What it means: the declaration's doc comment.
    pub about: String,
    pub repo: RepoRule,
    pub shape: Shape,
    /// What a value (for entries, an entry) must be, for messages.
    pub expected: String,
    /// Whether a value (for entries, an entry) is one.
    pub fits: fn(&Value) -> bool,
}

/// Where a declaration sits, handed down while a table describes its fields.
pub struct Declared {
    pub key: String,
    pub about: &'static str,
    pub repo: RepoRule,
}

impl Declared {
    /// The field `name` of the table declared here.
    pub fn child(&self, name: &str, about: &'static str, repo: RepoRule) -> Declared {
        let key = if self.key.is_empty() { name.to_string() } else { format!("{}.{name}", self.key) };
        Declared { key, about, repo }
    }

    fn field<T: Setting>(self, shape: Shape) -> Field {
        Field {
            key: self.key,
            about: self.about.trim().to_string(),
            repo: self.repo,
            shape,
            expected: T::expected(),
            fits: T::fits,
        }
    }
}

/// A type a setting may have.
pub trait Setting: Sized {
    /// What a value must be, after "must be": "a non-negative integer".
    fn expected() -> String;

    /// Whether `value` reads as one: its type, and bounds serde does not check.
    fn fits(value: &Value) -> bool;

    /// Adds what is declared at `at`: one value, unless the type is a table.
    fn describe(at: Declared, out: &mut Vec<Field>) {
        out.push(at.field::<Self>(Shape::Value));
    }
}

impl Setting for String {
    fn expected() -> String {
        "a string".into()
    }

    fn fits(value: &Value) -> bool {
        value.is_str()
    }
}

impl Setting for bool {
    fn expected() -> String {
        "true or false".into()
    }

    fn fits(value: &Value) -> bool {
        value.is_bool()
    }
}

impl Setting for u64 {
    fn expected() -> String {
        "a non-negative integer".into()
    }

    fn fits(value: &Value) -> bool {
        value.as_integer().is_some_and(|i| i >= 0)
    }
}

impl Setting for f64 {
    fn expected() -> String {
        "a number".into()
    }

    // TOML spells infinities and NaN; no setting means them.
    fn fits(value: &Value) -> bool {
        value.is_integer() || value.as_float().is_some_and(f64::is_finite)
    }
}

impl Setting for Vec<String> {
    fn expected() -> String {
        "a list of strings".into()
    }

    fn fits(value: &Value) -> bool {
        value.as_array().is_some_and(|items| items.iter().all(Value::is_str))
    }
}

/// TCP ports.
impl Setting for Vec<u16> {
    fn expected() -> String {
        "a list of port numbers (1 to 65535)".into()
    }

    fn fits(value: &Value) -> bool {
        value
            .as_array()
            .is_some_and(|items| items.iter().all(|i| i.as_integer().is_some_and(|p| (1..=65535).contains(&p))))
    }
}

/// Unset until a layer sets it; a file has no way to write "unset".
impl<T: Setting> Setting for Option<T> {
    fn expected() -> String {
        T::expected()
    }

    fn fits(value: &Value) -> bool {
        T::fits(value)
    }
}

/// A table of named entries, such as `[prices.MODEL]`.
impl<T: Setting> Setting for BTreeMap<String, T> {
    fn expected() -> String {
        T::expected()
    }

    fn fits(value: &Value) -> bool {
        T::fits(value)
    }

    fn describe(at: Declared, out: &mut Vec<Field>) {
        out.push(at.field::<T>(Shape::Entries));
    }
}

/// Declares a table of settings: the struct (serde, every field defaulted from the type's
/// one `impl Default`) and its description. Each field carries its doc comment (what
/// `wright config` says of it) and, when a repository may set it, `#[repo(any)]` or
/// `#[repo(lower)]` (`#[repo(user_file)]`: not even a trusted one).
macro_rules! settings {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $about:literal])+
                $(#[repo($rule:ident)])?
                $(#[serde($($serde:tt)*)])?
                pub $field:ident: $ty:ty,
            )*
        }
    ) => {
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(default)]
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[doc = $about])+
                $(#[serde($($serde)*)])?
                pub $field: $ty,
            )*
        }

        impl $crate::config::field::Setting for $name {
            fn expected() -> String {
                "a table".into()
            }

            fn fits(value: &toml::Value) -> bool {
                value.is_table()
            }

            fn describe(at: $crate::config::field::Declared, out: &mut Vec<$crate::config::field::Field>) {
                $(
                    <$ty as $crate::config::field::Setting>::describe(
                        at.child(stringify!($field), concat!($($about),+), settings!(@rule $($rule)?)),
                        out,
                    );
                )*
            }
        }
    };
    (@rule) => { $crate::config::field::RepoRule::UserOnly };
    (@rule any) => { $crate::config::field::RepoRule::Any };
    (@rule lower) => { $crate::config::field::RepoRule::Lower };
    (@rule user_file) => { $crate::config::field::RepoRule::UserFile };
}

pub(crate) use settings;

#[cfg(test)]
mod tests {
    use super::*;

    settings! {
        /// A table of named entries that are tables themselves, as `[mcp_servers.NAME]` will be.
        pub struct Outer {
            /// the servers
            pub servers: BTreeMap<String, Server>,
            /// a limit
            #[repo(lower)]
            pub limit: u64,
        }
    }

    impl Default for Outer {
        fn default() -> Self {
            Outer { servers: BTreeMap::new(), limit: 3 }
        }
    }

    settings! {
        /// One entry of `[servers.NAME]`.
        #[derive(Default)]
        pub struct Server {
            /// the command that starts it
            pub command: Vec<String>,
        }
    }

    #[test]
    fn entries_may_be_tables_of_their_own() {
        let mut out = Vec::new();
        Outer::describe(Declared { key: String::new(), about: "", repo: RepoRule::UserOnly }, &mut out);
        let described: Vec<(&str, Shape, RepoRule)> = out.iter().map(|f| (f.key.as_str(), f.shape, f.repo)).collect();
        assert_eq!(
            described,
            [("servers", Shape::Entries, RepoRule::UserOnly), ("limit", Shape::Value, RepoRule::Lower)]
        );
        assert_eq!((out[0].about.as_str(), out[0].expected.as_str()), ("the servers", "a table"));
        assert!((out[0].fits)(&toml::Value::Table(toml::Table::new())) && !(out[0].fits)(&toml::Value::Integer(1)));
        let outer: Outer = toml::from_str("[servers.fs]\ncommand = [\"mcp-fs\"]\n").unwrap();
        assert_eq!(outer.servers["fs"].command, ["mcp-fs"]);
        assert_eq!(outer.limit, 3);
    }
}
