//! Markdown table pieces shared by the reports.

/// Text for a table cell: a `|` or a newline in an agent's template must not break the row.
pub fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
