//! `apply_patch <<'EOF' … EOF` written as a shell command, as Codex-trained models write
//! it: the patch it carries.

/// The patch of `apply_patch <<'EOF'` … `EOF` (any marker, quoted or not).
pub(crate) fn heredoc_patch(command: &str) -> Option<String> {
    let rest = command.trim_start().strip_prefix(crate::patch_tools::APPLY_PATCH)?.trim_start().strip_prefix("<<")?;
    let (marker, body) = rest.trim_start_matches('-').trim_start().split_once('\n')?;
    let marker = marker.trim().trim_matches(|c| c == '\'' || c == '"');
    if marker.is_empty() {
        return None;
    }
    let mut patch = Vec::new();
    let mut lines = body.lines();
    for line in lines.by_ref() {
        if line.trim() == marker {
            // Commands after the patch would be lost: then it runs as the command it is.
            return lines.all(|l| l.trim().is_empty()).then(|| patch.join("\n"));
        }
        patch.push(line);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_whole_heredoc_is_a_patch() {
        let command = "apply_patch <<'EOF'\n*** Begin Patch\n*** End Patch\nEOF\n";
        assert_eq!(heredoc_patch(command), Some("*** Begin Patch\n*** End Patch".into()));
        assert_eq!(heredoc_patch("apply_patch <<EOF\nx\n"), None, "an unclosed heredoc is not a patch");
        assert_eq!(heredoc_patch("cat <<EOF\nx\nEOF"), None);
        assert_eq!(heredoc_patch("apply_patch <<EOF\nx\nEOF\npytest"), None, "a command after it is not dropped");
    }
}
