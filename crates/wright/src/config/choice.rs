//! Settings that are one of a few names: the real enums, read and written by the names
//! clap gives them, so a file, the environment and a flag spell them alike.

use clap::ValueEnum;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use toml::Value;

use super::field::Setting;

fn name_of<T: ValueEnum>(value: &T) -> String {
    value.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default()
}

fn parse<T: ValueEnum>(name: &str) -> Option<T> {
    T::from_str(name, false).ok()
}

/// "native, text or auto".
fn names<T: ValueEnum>(first: Option<&str>) -> String {
    let all: Vec<String> =
        first.map(str::to_string).into_iter().chain(T::value_variants().iter().map(name_of)).collect();
    match all.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => all.join(""),
    }
}

/// serde for a `ValueEnum` field: `#[serde(with = "by_name")]`.
pub mod by_name {
    use super::*;

    pub fn serialize<T: ValueEnum, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        name_of(value).serialize(s)
    }

    pub fn deserialize<'de, T: ValueEnum, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        let name = String::deserialize(d)?;
        parse(&name).ok_or_else(|| serde::de::Error::custom(format!("must be {}, not `{name}`", names::<T>(None))))
    }
}

/// `Setting` for enums that derive `ValueEnum`.
macro_rules! choice {
    ($($ty:ty),*) => {$(
        impl Setting for $ty {
            fn expected() -> String {
                names::<$ty>(None)
            }

            fn fits(value: &Value) -> bool {
                value.as_str().and_then(parse::<$ty>).is_some()
            }
        }
    )*};
}

choice!(wright_agent::ToolFormat, wright_sandbox::Backend, CommitMessageWriter);

/// Who writes commit messages (`git.commit_messages`); `git.commit_model` names the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CommitMessageWriter {
    /// The model writes each commit message from the diff.
    Model,
    /// wright, from the changed paths.
    Derived,
}

/// A choice that may be left to wright: `"auto"`, or one of `T`'s names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Auto<T>(pub Option<T>);

const AUTO: &str = "auto";

impl<T: ValueEnum> Setting for Auto<T> {
    fn expected() -> String {
        names::<T>(Some(AUTO))
    }

    fn fits(value: &Value) -> bool {
        value.as_str().is_some_and(|s| s == AUTO || parse::<T>(s).is_some())
    }
}

impl<T: ValueEnum> Serialize for Auto<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            None => AUTO.serialize(s),
            Some(v) => by_name::serialize(v, s),
        }
    }
}

impl<'de, T: ValueEnum> Deserialize<'de> for Auto<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        if name == AUTO {
            return Ok(Auto(None));
        }
        parse(&name)
            .map(|v| Auto(Some(v)))
            .ok_or_else(|| serde::de::Error::custom(format!("must be {}, not `{name}`", names::<T>(Some(AUTO)))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wright_agent::{PromptProfile, ToolFormat};

    #[test]
    fn names_are_clap_s() {
        assert_eq!(ToolFormat::expected(), "native, text or auto");
        assert_eq!(Auto::<PromptProfile>::expected(), "auto, full or compact");
        assert!(wright_sandbox::Backend::fits(&Value::String("none".into())));
        assert!(!ToolFormat::fits(&Value::String("Native".into())));
        let auto: Auto<PromptProfile> = toml::Value::String("auto".into()).try_into().unwrap();
        assert_eq!(auto, Auto(None));
        assert_eq!(toml::Value::try_from(Auto(Some(PromptProfile::Compact))).unwrap().as_str(), Some("compact"));
    }
}
