//! A unified diff as text the perturbation generator can rewrite: per file, its header
//! lines as they were, and hunks with their numbers and body lines (prefix included).

#[derive(Debug, Clone)]
pub struct FileDiff {
    /// Everything before the first hunk (`diff --git`, `index`, `---`, `+++`, modes).
    pub header: Vec<String>,
    pub hunks: Vec<Hunk>,
}

#[derive(Debug, Clone)]
pub struct Hunk {
    pub old_start: usize,
    pub old_len: usize,
    pub new_start: usize,
    pub new_len: usize,
    /// Git's function context after the second `@@`.
    pub section: String,
    /// Body lines with their ` `, `-`, `+` or `\` prefix.
    pub lines: Vec<String>,
}

impl FileDiff {
    /// The path on the `+++` side (or `---` for deletions), without `a/`/`b/`.
    pub fn path(&self) -> Option<String> {
        let side = |p: &str| {
            self.header.iter().find_map(|l| l.strip_prefix(p)).map(|s| s.split('\t').next().unwrap_or(s).to_string())
        };
        let new = side("+++ ").filter(|p| p != "/dev/null");
        new.or_else(|| side("--- ")).map(|p| p.strip_prefix("b/").or(p.strip_prefix("a/")).unwrap_or(&p).to_string())
    }

    pub fn is_plain_update(&self) -> bool {
        !self.hunks.is_empty()
            && !self.header.iter().any(|l| {
                l == "--- /dev/null"
                    || l == "+++ /dev/null"
                    || l.starts_with("rename ")
                    || l.starts_with("new file mode")
                    || l.starts_with("deleted file mode")
                    || l.starts_with("Binary files")
                    || l == "GIT binary patch"
            })
    }
}

impl Hunk {
    /// The lines the hunk expects in the file (context and removed), without prefixes.
    pub fn old_lines(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter(|l| l.starts_with(' ') || l.starts_with('-') || l.is_empty())
            .map(|l| body(l))
            .collect()
    }

    pub fn header(&self) -> String {
        let section = if self.section.is_empty() { String::new() } else { format!(" {}", self.section) };
        format!("@@ -{},{} +{},{} @@{section}", self.old_start, self.old_len, self.new_start, self.new_len)
    }
}

/// A body line without its prefix.
pub fn body(line: &str) -> String {
    line.get(1..).unwrap_or("").to_string()
}

pub fn parse(text: &str) -> Option<Vec<FileDiff>> {
    let mut files: Vec<FileDiff> = Vec::new();
    let mut in_hunk = false;
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let starts_file = line.starts_with("diff --git ")
            || (line.starts_with("--- ") && lines.get(i + 1).is_some_and(|n| n.starts_with("+++ ")) && {
                // A `---` right after `diff --git`/`index` belongs to that file.
                !files.last().is_some_and(|f| f.hunks.is_empty() && !f.header.iter().any(|h| h.starts_with("--- ")))
            });
        if starts_file {
            files.push(FileDiff { header: vec![line.to_string()], hunks: Vec::new() });
            in_hunk = false;
        } else if let Some(h) = line.strip_prefix("@@ ") {
            let file = files.last_mut()?;
            file.hunks.push(parse_header(h)?);
            in_hunk = true;
        } else if in_hunk {
            files.last_mut()?.hunks.last_mut()?.lines.push(line.to_string());
        } else {
            files.last_mut()?.header.push(line.to_string());
        }
    }
    (!files.is_empty()).then_some(files)
}

fn parse_header(h: &str) -> Option<Hunk> {
    let (ranges, section) = h.split_once("@@")?;
    let mut parts = ranges.split_whitespace();
    let range = |r: &str| -> Option<(usize, usize)> {
        let (s, n) = r.split_once(',').unwrap_or((r, "1"));
        Some((s.parse().ok()?, n.parse().ok()?))
    };
    let (old_start, old_len) = range(parts.next()?.strip_prefix('-')?)?;
    let (new_start, new_len) = range(parts.next()?.strip_prefix('+')?)?;
    Some(Hunk { old_start, old_len, new_start, new_len, section: section.trim().to_string(), lines: Vec::new() })
}

pub fn render(files: &[FileDiff]) -> String {
    let mut out = String::new();
    for f in files {
        for l in &f.header {
            out.push_str(l);
            out.push('\n');
        }
        for h in &f.hunks {
            out.push_str(&h.header());
            out.push('\n');
            for l in &h.lines {
                out.push_str(l);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_git_diff() {
        let text = "diff --git a/x.py b/x.py\nindex 1..2 100644\n--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,3 @@ def f():\n a\n-b\n+c\n d\n@@ -10,2 +10,3 @@\n e\n+f\n g\n";
        let files = parse(text).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path().as_deref(), Some("x.py"));
        assert_eq!(files[0].hunks[0].section, "def f():");
        assert_eq!(files[0].hunks[0].old_lines(), vec!["a", "b", "d"]);
        assert_eq!(render(&files), text);
    }
}
