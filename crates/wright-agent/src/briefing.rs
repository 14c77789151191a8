//! The first prompt's head start: the files wright's index ranks highest for the task,
//! read with the tool that shows files (so every path rule holds), a small file whole and
//! a larger one as its best-ranked definitions, within a budget of tokens. Small models
//! that edit before they read invent the text they replace; this puts the real text in
//! front of them from the first turn.

use wright_index::{SearchHit, SearchKind};
use wright_tools::{ToolContext, Toolbox};

/// Files the briefing looks at, best-ranked first.
const FILES: usize = 3;
/// A file of at most this many lines is shown whole.
pub(crate) const WHOLE_LINES: usize = 150;
/// The most lines one definition shows.
const DEFINITION_LINES: usize = 40;

const HEADER: &str = "wright's code index ranks these files highest for this task, shown as read_file shows them. \
The line numbers are not part of the files: leave them out of edit's `old`.\n";

pub(crate) struct Briefing {
    /// For the first message, after the task.
    pub text: String,
    /// The files it showed (whole or in part).
    pub shown: Vec<String>,
}

/// What the index ranks highest for `task`, within `budget_tokens`; `None` when the index
/// finds nothing or the budget is 0.
pub(crate) async fn brief(toolbox: &Toolbox, ctx: &ToolContext, task: &str, budget_tokens: usize) -> Option<Briefing> {
    if budget_tokens == 0 {
        return None;
    }
    // The index blocks (a first run builds it): on a blocking thread.
    let (index, query) = (ctx.index.clone(), task.to_string());
    let search = move || index.with(|index| index.search(&query, SearchKind::Text, 20));
    let hits = tokio::task::spawn_blocking(search).await.ok()?.ok()?.hits;
    // Characters, at ~3.5 per token of code, less the header.
    let mut left = (budget_tokens.saturating_mul(7) / 2).saturating_sub(HEADER.len());
    let mut parts = Vec::new();
    let mut shown = Vec::new();
    for (path, hits) in by_file(hits).into_iter().take(FILES) {
        let read =
            async |start: usize, end: usize| toolbox.show_file(ctx, &path, start..=end).await.ok().map(|o| o.text);
        let Some(head) = read(1, WHOLE_LINES).await else { continue };
        // The quote around the file's text counts too.
        let room = left.saturating_sub(path.len() + 64);
        let body = if !head.contains(" lines below; ") && head.len() <= room {
            head
        } else {
            let mut body = String::new();
            let mut shown: Vec<(usize, usize)> = Vec::new();
            for hit in hits.iter().filter(|h| h.symbol.is_some()) {
                let end = hit.end_line.min(hit.start_line + DEFINITION_LINES - 1);
                // A method inside a class already shown is not shown again.
                if shown.iter().any(|&(a, b)| a <= hit.start_line && end <= b) {
                    continue;
                }
                match read(hit.start_line, end).await {
                    Some(text) if body.len() + text.len() <= room => body.push_str(&text),
                    _ => break,
                }
                shown.push((hit.start_line, end));
            }
            body
        };
        if body.is_empty() {
            continue;
        }
        let quoted = crate::quote::quote(&path, body.trim_end());
        left = left.saturating_sub(quoted.len());
        parts.push(quoted);
        shown.push(path);
    }
    if parts.is_empty() {
        return None;
    }
    let text = format!("{HEADER}{}", parts.join("\n"));
    Some(Briefing { text, shown })
}

/// Hits grouped by file, files in the order of their best hit, definitions best first.
fn by_file(hits: Vec<SearchHit>) -> Vec<(String, Vec<SearchHit>)> {
    let mut files: Vec<(String, Vec<SearchHit>)> = Vec::new();
    for hit in hits {
        match files.iter_mut().find(|(path, _)| *path == hit.path) {
            Some((_, list)) => list.push(hit),
            None => files.push((hit.path.clone(), vec![hit])),
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use wright_tools::{IndexHandle, RunLimits};

    fn ctx(root: &std::path::Path, index_dir: &std::path::Path) -> ToolContext {
        let index = IndexHandle::new(root.to_path_buf(), index_dir.to_path_buf(), None);
        ToolContext { root: root.to_path_buf(), workspace: None, index, run: RunLimits::default() }
    }

    #[tokio::test]
    async fn a_small_file_whole_and_a_large_one_by_its_definitions() {
        let (dir, index) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let root = dir.path();
        std::fs::write(root.join("stats.py"), "def average(values):\n    return sum(values) / len(values)\n").unwrap();
        let mut big = String::new();
        for i in 0..300 {
            big.push_str(&format!("def helper_{i}(x):\n    return x + {i}\n\n"));
        }
        big.push_str("def report_average(day):\n    return average(day.sales)\n");
        std::fs::write(root.join("report.py"), big).unwrap();
        let task = "ZeroDivisionError in average when a day has no sales (report_average)";
        let found = brief(&Toolbox::builtin(), &ctx(root, index.path()), task, 2000).await.unwrap();
        assert!(found.shown.contains(&"stats.py".to_string()) && found.shown.contains(&"report.py".to_string()));
        assert!(found.text.contains("stats.py (lines 1-2 of 2)\n     1\tdef average(values):"), "{}", found.text);
        assert!(found.text.contains("def report_average(day):"), "{}", found.text);
        assert!(!found.text.contains("def helper_0("), "a large file shows its definitions only: {}", found.text);
        assert!(found.text.contains("<untrusted-data source=\"stats.py\">"), "file text is quoted");
    }

    #[tokio::test]
    async fn the_budget_holds_and_zero_turns_it_off() {
        let (dir, index) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(dir.path().join("a.py"), "def average(v):\n    return 1\n".repeat(60)).unwrap();
        let ctx = ctx(dir.path(), index.path());
        let toolbox = Toolbox::builtin();
        assert!(brief(&toolbox, &ctx, "average", 0).await.is_none());
        assert!(brief(&toolbox, &ctx, "nothing matches zyzzyva", 1000).await.is_none());
        // 120 lines: too long for 150 tokens whole, so its definitions, as many as fit.
        let small = brief(&toolbox, &ctx, "average", 150).await.expect("one definition fits");
        assert!(small.text.contains("def average(v):") && small.text.len() <= 150 * 7 / 2, "{}", small.text.len());
    }
}
