//! The perturbation generator: deterministic rewrites of a real patch into the shapes
//! models get wrong. Each takes the parsed diff and a seeded generator and returns the
//! rewritten patch, or `None` when the patch has nothing the perturbation applies to.

use super::diff_text::{FileDiff, Hunk, render};

/// What a correct applier does with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Expect {
    /// Produce the same tree as `git apply` of the original patch.
    Apply,
    /// Refuse: the patch cannot say where it belongs.
    Refuse,
}

pub struct Case {
    pub patch: String,
    /// Files rewritten in the base before applying (the traps' duplicated context).
    pub setup: Vec<(String, String)>,
    pub expect: Expect,
}

pub const KINDS: [&str; 12] = [
    "unperturbed",
    "wrong-line-numbers",
    "shifted-hunks",
    "whitespace-drift",
    "indent-drift",
    "crlf",
    "dropped-context",
    "elided-context",
    "envelope",
    "no-line-numbers",
    "trap-hinted",
    "trap-unhinted",
];

/// splitmix64: small, fast and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: &str) -> Rng {
        Rng(seed.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3)))
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn coin(&mut self) -> bool {
        self.next() & 1 == 0
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
}

/// Builds case `kind` from `original` (the patch text) and its parse. `read` gives a
/// file of the base tree.
pub fn generate(
    kind: &str,
    original: &str,
    files: &[FileDiff],
    rng: &mut Rng,
    read: &dyn Fn(&str) -> Option<String>,
) -> Option<Case> {
    let apply = |patch: String| Some(Case { patch, setup: Vec::new(), expect: Expect::Apply });
    match kind {
        "unperturbed" => apply(original.to_string()),
        "wrong-line-numbers" => apply(render(&each_hunk(files, |h| {
            let delta = h.new_start as isize - h.old_start as isize;
            h.old_start = rng.range(1, h.old_start * 2 + 50);
            h.new_start = (h.old_start as isize + delta).max(1) as usize;
        }))),
        "shifted-hunks" => {
            let by = rng.range(3, 30) as isize * if rng.coin() { 1 } else { -1 };
            apply(render(&each_hunk(files, |h| {
                h.old_start = (h.old_start as isize + by).max(1) as usize;
                h.new_start = (h.new_start as isize + by).max(1) as usize;
            })))
        }
        "whitespace-drift" => apply(render(&each_hunk(files, |h| {
            for l in h.lines.iter_mut().filter(|l| l.starts_with(' ') || l.starts_with('-')) {
                let trimmed = l.trim_end().to_string();
                *l = if rng.coin() && trimmed.len() > 1 { format!("{trimmed}  ") } else { trimmed };
                if l.is_empty() {
                    *l = " ".to_string();
                }
            }
        }))),
        "indent-drift" => changed(files, each_hunk(files, dedent)),
        "crlf" => apply(original.replace('\n', "\r\n")),
        "dropped-context" => changed(files, each_hunk(files, drop_context_line)),
        "elided-context" => changed(files, files.iter().cloned().map(elide).collect()),
        "envelope" => apply(envelope(files)?),
        "no-line-numbers" => apply(without_numbers(files)),
        "trap-hinted" | "trap-unhinted" => {
            let (path, text) = duplicate_context(files, read)?;
            let patch = if kind == "trap-hinted" { original.to_string() } else { without_numbers(files) };
            let expect = if kind == "trap-hinted" { Expect::Apply } else { Expect::Refuse };
            Some(Case { patch, setup: vec![(path, text)], expect })
        }
        _ => None,
    }
}

fn each_hunk(files: &[FileDiff], mut f: impl FnMut(&mut Hunk)) -> Vec<FileDiff> {
    let mut out = files.to_vec();
    for file in out.iter_mut().filter(|f| f.is_plain_update()) {
        file.hunks.iter_mut().for_each(&mut f);
    }
    out
}

/// A case only when the rewrite changed something.
fn changed(before: &[FileDiff], after: Vec<FileDiff>) -> Option<Case> {
    let patch = render(&after);
    (patch != render(before)).then_some(Case { patch, setup: Vec::new(), expect: Expect::Apply })
}

/// Every line of the hunk moved left by the indentation they all share, as when a
/// model quotes a method without its class.
fn dedent(h: &mut Hunk) {
    let indent = |l: &str| {
        let b = l.get(1..).unwrap_or("");
        (!b.trim().is_empty()).then(|| b.len() - b.trim_start().len())
    };
    // A blank line carrying whitespace would lose it for good.
    if h.lines.iter().any(|l| l.len() > 1 && l.get(1..).is_some_and(|b| b.trim().is_empty())) {
        return;
    }
    let Some(common) = h.lines.iter().filter(|l| !l.starts_with('\\')).filter_map(|l| indent(l)).min() else {
        return;
    };
    if common == 0 {
        return;
    }
    for l in h.lines.iter_mut().filter(|l| !l.starts_with('\\') && !l.is_empty()) {
        let Some((prefix, rest)) = l.split_at_checked(1) else { continue };
        let cut = rest.len() - rest.trim_start().len();
        // The cut lies in leading ASCII whitespace, so on a character boundary.
        *l = format!("{prefix}{}", rest.get(cut.min(common)..).unwrap_or_default());
    }
}

/// One context line from inside the leading (or else trailing) context run is left
/// out, header unchanged, as when a model skips a line it thought unimportant.
fn drop_context_line(h: &mut Hunk) {
    let is_context = |l: &String| l.starts_with(' ') || l.is_empty();
    let lead = h.lines.iter().take_while(|l| is_context(l)).count();
    let trail = h.lines.iter().rev().take_while(|l| is_context(l)).count();
    if lead >= 3 && lead < h.lines.len() {
        h.lines.remove(lead / 2);
    } else if trail >= 3 && trail < h.lines.len() {
        let at = h.lines.len() - 1 - trail / 2;
        h.lines.remove(at);
    }
}

/// Consecutive hunks of a file merged into one, the lines between them written as
/// `...`; a single hunk gets the inside of its longest inner context run (3+) elided.
fn elide(mut file: FileDiff) -> FileDiff {
    if !file.is_plain_update() {
        return file;
    }
    if file.hunks.len() >= 2 {
        let mut merged = file.hunks[0].clone();
        for h in &file.hunks[1..] {
            merged.lines.push(" ...".to_string());
            merged.lines.extend(h.lines.iter().cloned());
        }
        file.hunks = vec![merged];
        return file;
    }
    let Some(h) = file.hunks.first_mut() else { return file };
    let is_context = |l: &String| l.starts_with(' ') || l.is_empty();
    let first_change = h.lines.iter().position(|l| !is_context(l)).unwrap_or(0);
    let last_change = h.lines.iter().rposition(|l| !is_context(l)).unwrap_or(0);
    let mut best: Option<(usize, usize)> = None;
    let mut i = first_change;
    while i < last_change {
        if is_context(&h.lines[i]) {
            let run = h.lines[i..last_change].iter().take_while(|l| is_context(l)).count();
            if run >= 3 && best.is_none_or(|(_, n)| run > n) {
                best = Some((i, run));
            }
            i += run;
        } else {
            i += 1;
        }
    }
    // The run's first and last lines stay, so the marker sits between two anchors.
    if let Some((at, run)) = best {
        h.lines.splice(at + 1..at + run - 1, [" ...".to_string()]);
    }
    file
}

/// Hunk headers reduced to `@@ @@`, as models often write them.
fn without_numbers(files: &[FileDiff]) -> String {
    render(files).lines().map(|l| if l.starts_with("@@ -") { "@@ @@" } else { l }).collect::<Vec<_>>().join("\n") + "\n"
}

/// The diff converted to the `*** Begin Patch` envelope, git's function context as the
/// `@@` anchor. No line numbers survive the conversion.
fn envelope(files: &[FileDiff]) -> Option<String> {
    let mut out = String::from("*** Begin Patch\n");
    for f in files {
        let path = f.path()?;
        let header = |p: &str| f.header.iter().any(|l| l.starts_with(p));
        if header("Binary files") || header("GIT binary patch") {
            return None;
        }
        if header("--- /dev/null") || (header("new file mode") && f.hunks.is_empty()) {
            out.push_str(&format!("*** Add File: {path}\n"));
            for h in &f.hunks {
                for l in h.lines.iter().filter(|l| l.starts_with('+')) {
                    out.push_str(&format!("{l}\n"));
                }
            }
            continue;
        }
        if header("+++ /dev/null") || header("deleted file mode") {
            let old = f.header.iter().find_map(|l| l.strip_prefix("--- a/"))?;
            out.push_str(&format!("*** Delete File: {old}\n"));
            continue;
        }
        let from = f.header.iter().find_map(|l| l.strip_prefix("rename from "));
        out.push_str(&format!("*** Update File: {}\n", from.unwrap_or(&path)));
        if from.is_some() {
            out.push_str(&format!("*** Move to: {path}\n"));
        }
        for h in &f.hunks {
            out.push_str(&format!("@@ {}\n", h.section).replace("@@ \n", "@@\n"));
            for l in h.lines.iter().filter(|l| !l.starts_with('\\')) {
                out.push_str(&format!("{l}\n"));
            }
            if h.lines.last().is_some_and(|l| l.starts_with('\\')) {
                out.push_str("*** End of File\n");
            }
        }
    }
    out.push_str("*** End Patch\n");
    Some(out)
}

/// A hunk's old lines copied to the end of its file (after a blank line), so its
/// context occurs twice; the patch's line numbers still point at the original. Only a
/// hunk with as much context after as before, not at line 1: git anchors the others
/// to the start or end of the file, which would move the reference.
fn duplicate_context(files: &[FileDiff], read: &dyn Fn(&str) -> Option<String>) -> Option<(String, String)> {
    let is_context = |l: &&String| l.starts_with(' ') || l.is_empty();
    let symmetric = |h: &&Hunk| {
        let lead = h.lines.iter().take_while(is_context).count();
        let trail = h.lines.iter().rev().take_while(is_context).count();
        h.old_start > 1 && lead > 0 && lead == trail && lead < h.lines.len()
    };
    let (file, hunk) =
        files.iter().filter(|f| f.is_plain_update()).find_map(|f| f.hunks.iter().find(symmetric).map(|h| (f, h)))?;
    let path = file.path()?;
    let text = read(&path)?;
    let old = hunk.old_lines();
    if old.len() < 2 || old.iter().all(|l| l.trim().is_empty()) {
        return None;
    }
    let mut out = text.clone();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    for l in &old {
        out.push_str(l);
        out.push('\n');
    }
    Some((path, out))
}

#[cfg(test)]
mod tests {
    use super::super::diff_text::parse;
    use super::*;

    const DIFF: &str = "diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n@@ -5,7 +5,7 @@ class A:\n     def f(self):\n         a = 1\n         b = 2\n-        return a\n+        return b\n         c = 3\n         d = 4\n         e = 5\n";

    #[test]
    fn every_kind_is_deterministic() {
        let files = parse(DIFF).unwrap();
        let read = |_: &str| Some("x\n".to_string());
        for kind in KINDS {
            let a = generate(kind, DIFF, &files, &mut Rng::new("seed"), &read).map(|c| c.patch);
            let b = generate(kind, DIFF, &files, &mut Rng::new("seed"), &read).map(|c| c.patch);
            assert_eq!(a, b, "{kind}");
        }
    }

    #[test]
    fn rewrites_look_like_what_models_write() {
        let files = parse(DIFF).unwrap();
        let read = |_: &str| Some("x\n".to_string());
        let case = |k: &str| generate(k, DIFF, &files, &mut Rng::new("s"), &read).unwrap().patch;
        assert!(case("indent-drift").contains("\n def f(self):\n     a = 1\n"), "{}", case("indent-drift"));
        assert!(case("no-line-numbers").contains("\n@@ @@\n"));
        assert!(case("envelope").starts_with("*** Begin Patch\n*** Update File: m.py\n@@ class A:\n"));
        assert_eq!(case("dropped-context").lines().count(), DIFF.lines().count() - 1);
        let trap = generate("trap-unhinted", DIFF, &files, &mut Rng::new("s"), &read).unwrap();
        assert_eq!(trap.expect, Expect::Refuse);
        assert!(trap.setup[0].1.ends_with("        c = 3\n        d = 4\n        e = 5\n"));
    }
}
