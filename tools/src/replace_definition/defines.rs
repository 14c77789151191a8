//! Whether the new text is the definition it replaces: a model that sends only the lines
//! it changed, or another function, would otherwise delete the one it named.

use wright_grammar::{Lang, Site};

use super::lookup::display_name;
use super::splice::Spliced;

/// Refuses `spliced` when no definition with the name of `old` starts where the new text
/// was put. A file the parser gives up on passes: the syntax guard has spoken already.
pub(super) fn check(lang: Lang, spliced: &Spliced, old: &Site) -> Result<(), String> {
    let Ok(sites) = wright_grammar::sites(lang, &spliced.after) else { return Ok(()) };
    let (from, to) = spliced.placed;
    let inside: Vec<&Site> = sites.iter().filter(|s| from <= s.def.start_line && s.def.start_line <= to).collect();
    let wanted = last_part(&old.def.name);
    if inside.iter().any(|s| last_part(&s.def.name) == wanted) {
        return Ok(());
    }
    let name = display_name(old);
    Err(match inside.first() {
        Some(other) => format!(
            "`new` defines `{}`, not `{wanted}`; nothing was written. Send the whole new definition of `{name}`, its signature keeping the name; to add or rename a definition, use edit",
            other.def.name
        ),
        None => format!(
            "`new` holds no definition; nothing was written. Send the whole definition of `{name}`, from its signature line to its end, not only the lines that change"
        ),
    })
}

/// `m` of `ns.W.m` (a C++ definition outside its class is named with its scope).
fn last_part(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}
