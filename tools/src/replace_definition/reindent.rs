//! The model's definition moved to the indentation of the one it replaces. Models write a
//! method flush-left, or copy it with its first line's indentation lost; the lines keep
//! their indentation relative to each other either way.

/// `lines` with their signature line (`head`, an index into `lines`) at `target`
/// indentation, and every other line where it stood relative to it. When the signature
/// stands shallower than `target` but the lines after it already stand deeper than
/// `target` (copied from the file with the first line's indentation lost), only the lines
/// up to the signature are moved. Blank lines are left empty.
pub(super) fn reindent(lines: &[&str], head: usize, target: &str) -> Vec<String> {
    let anchor = indent(lines.get(head).copied().unwrap_or_default());
    let after: Vec<&str> = lines.iter().skip(head + 1).copied().filter(|l| !l.trim().is_empty()).collect();
    let deeper = |l: &str| l.starts_with(target) && indent(l).len() > target.len();
    let in_place = anchor.len() < target.len()
        && after.first().is_some_and(|l| deeper(l))
        && after.iter().all(|l| l.starts_with(target));
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            if line.trim().is_empty() {
                String::new()
            } else if in_place && i > head {
                line.to_string()
            } else if in_place {
                format!("{target}{}", line.trim_start())
            } else {
                match line.strip_prefix(anchor) {
                    Some(rest) => format!("{target}{rest}"),
                    // Shallower than the signature: at the signature's depth.
                    None => format!("{target}{}", line.trim_start()),
                }
            }
        })
        .collect()
}

/// The blanks `line` starts with.
pub(super) fn indent(line: &str) -> &str {
    let body = line.trim_start();
    line.get(..line.len() - body.len()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moved(text: &str, head: usize, target: &str) -> String {
        reindent(&text.lines().collect::<Vec<_>>(), head, target).join("\n")
    }

    #[test]
    fn a_flush_left_method_moves_in_with_its_body() {
        let text = "def area(self):\n    if self.w:\n        return self.w * self.h\n\n    return 0";
        assert_eq!(
            moved(text, 0, "    "),
            "    def area(self):\n        if self.w:\n            return self.w * self.h\n\n        return 0"
        );
    }

    #[test]
    fn too_deep_a_definition_moves_out() {
        let text = "        run() {\n          return 1;\n        }";
        assert_eq!(moved(text, 0, "  "), "  run() {\n    return 1;\n  }");
    }

    #[test]
    fn a_first_line_that_lost_its_indentation_gets_it_back_alone() {
        let text = "def area(self):\n        return self.w * self.h";
        assert_eq!(moved(text, 0, "    "), "    def area(self):\n        return self.w * self.h");
        let js = "@memo\nrun() {\n    return 1;\n  }";
        assert_eq!(moved(js, 1, "  "), "  @memo\n  run() {\n    return 1;\n  }");
    }

    #[test]
    fn decorators_shallower_than_the_signature_stand_at_its_depth() {
        let text = "@property\n    def area(self):\n        return 1";
        assert_eq!(moved(text, 1, "    "), "    @property\n    def area(self):\n        return 1");
        assert_eq!(moved("func F() {\n\treturn\n}", 0, ""), "func F() {\n\treturn\n}");
    }
}
