//! Where a definition stands in its file beyond the span [`definitions`](crate::definitions)
//! gives it: the comments, decorators and attributes directly above it that belong to it,
//! the line its own signature starts on after the annotations its node holds, and a Go
//! method's receiver type. What a tool that rewrites a whole definition needs to know.

use tree_sitter::Node;

use crate::defs::walk;
use crate::{Definition, GrammarError, Lang};

/// One definition and its surroundings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub def: Definition,
    /// 1-based: the first line of the comments, decorators and attributes directly above
    /// the definition (no blank line between) that belong to it; `def.start_line` when none.
    pub first_line: usize,
    /// 1-based: the line its signature starts on, after the decorators and annotations its
    /// node holds itself (Java's annotations, TypeScript's class decorators) when they
    /// stand on lines of their own; `def.start_line` otherwise.
    pub head_line: usize,
    /// A Go method's receiver type: `S` of `func (s *S) M()`.
    pub receiver: Option<String>,
    /// Whether the definition has its lines to itself: no other code before it on its
    /// first line, none but a `;` or a comment after it on its last.
    pub own_lines: bool,
}

/// Nodes that belong to the definition they stand above: comments, Python's and
/// TypeScript's decorators (siblings of a class member), Rust's attributes.
const ATTACHED: &[&str] = &["comment", "line_comment", "block_comment", "attribute_item", "decorator"];

/// Nodes a definition's node may start with before its signature.
const LEADING: &[&str] = &[
    "comment",
    "line_comment",
    "block_comment",
    "decorator",
    "annotation",
    "marker_annotation",
    "attribute_declaration",
    "attribute_item",
];

/// Every definition of `source` with its surroundings, in source order.
pub fn sites(lang: Lang, source: &str) -> Result<Vec<Site>, GrammarError> {
    let src = source.as_bytes();
    walk(lang, source, |node, def| {
        let top = wrapped(node);
        let head = if top.kind() == "template_declaration" { top.start_position().row } else { head_row(node) };
        Site {
            first_line: first_row(top, src) + 1,
            head_line: head + 1,
            receiver: receiver(lang, node, src),
            own_lines: starts_its_line(top, src) && ends_its_line(top, src),
            def,
        }
    })
}

/// The node that holds `node` and only what belongs to it: Python's decorators, an
/// `export`, a C++ `template <...>`, the `const` of `const f = () => ...`, the `type` of
/// Go's `type S struct {...}`.
fn wrapped(node: Node) -> Node {
    let mut top = node;
    while let Some(parent) = top.parent() {
        let wraps = match parent.kind() {
            "decorated_definition" | "export_statement" | "template_declaration" => true,
            "lexical_declaration" | "variable_declaration" | "type_declaration" => parent.named_child_count() == 1,
            _ => false,
        };
        if !wraps {
            break;
        }
        top = parent;
    }
    top
}

/// The first row of what is attached above `top`: the comments and attributes just
/// above it, each starting its own line.
fn first_row(top: Node, src: &[u8]) -> usize {
    let mut first = top.start_position().row;
    let mut at = top;
    loop {
        let Some(prev) = at.prev_sibling() else {
            // Python puts the comments above a block's first statement before the block.
            match at.parent() {
                Some(block) if block.kind() == "block" && block.start_byte() == at.start_byte() => {
                    at = block;
                    continue;
                }
                _ => break,
            }
        };
        let adjacent = last_row(prev) + 1 >= first;
        if !ATTACHED.contains(&prev.kind()) || !adjacent || !starts_its_line(prev, src) || inner_doc(prev, src) {
            break;
        }
        first = prev.start_position().row;
        at = prev;
    }
    first
}

/// The row of the first child of `node` that is not a decorator, annotation or comment,
/// looking into Java's `modifiers`.
fn head_row(node: Node) -> usize {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if LEADING.contains(&child.kind()) {
            continue;
        }
        if child.kind() == "modifiers" {
            let mut inner = child.walk();
            let first = child.children(&mut inner).find(|c| !LEADING.contains(&c.kind()));
            match first {
                Some(c) => return c.start_position().row,
                None => continue,
            }
        }
        return child.start_position().row;
    }
    node.start_position().row
}

/// The last row `node` has text on: a line comment that ends with its line break ends at
/// column 0 of the next row.
fn last_row(node: Node) -> usize {
    let (start, end) = (node.start_position(), node.end_position());
    if end.column == 0 && end.row > start.row { end.row - 1 } else { end.row }
}

/// Whether only blanks stand before `node` on its line (not `x = 1  # note`).
fn starts_its_line(node: Node, src: &[u8]) -> bool {
    let at = node.start_byte();
    let before = src.get(..at).unwrap_or_default();
    let line = before.rsplit(|&b| b == b'\n').next().unwrap_or_default();
    line.iter().all(u8::is_ascii_whitespace)
}

/// Whether nothing but a `;`, a `,` or a comment follows `node` on its last line.
fn ends_its_line(node: Node, src: &[u8]) -> bool {
    let after = src.get(node.end_byte()..).unwrap_or_default();
    let line = after.split(|&b| b == b'\n').next().unwrap_or_default();
    let rest = String::from_utf8_lossy(line);
    let rest = rest.trim_start_matches(|c: char| c == ';' || c == ',' || c.is_whitespace());
    rest.is_empty() || rest.starts_with("//") || rest.starts_with("/*") || rest.starts_with('#')
}

/// A comment about the enclosing module or crate (`//!`, `/*!`), not the definition.
fn inner_doc(node: Node, src: &[u8]) -> bool {
    let text = src.get(node.start_byte()..node.end_byte()).unwrap_or_default();
    text.starts_with(b"//!") || text.starts_with(b"/*!")
}

/// `S` of Go's `func (s *S) M()` or `func (s S[T]) M()`.
fn receiver(lang: Lang, node: Node, src: &[u8]) -> Option<String> {
    if lang != Lang::Go || node.kind() != "method_declaration" {
        return None;
    }
    let receiver = node.child_by_field_name("receiver")?;
    let mut cursor = receiver.walk();
    let param = receiver.named_children(&mut cursor).find(|c| c.kind() == "parameter_declaration")?;
    let text = param.child_by_field_name("type")?.utf8_text(src).ok()?;
    let name = text.trim().trim_start_matches('*').split('[').next().unwrap_or_default().trim();
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(qualified, first_line, start_line, head_line)` of each site.
    fn spans(lang: Lang, src: &str) -> Vec<(String, usize, usize, usize)> {
        sites(lang, src)
            .unwrap()
            .into_iter()
            .map(|s| (s.def.qualified, s.first_line, s.def.start_line, s.head_line))
            .collect()
    }

    #[test]
    fn python_decorators_and_comments_above_belong_to_the_definition() {
        let src = "import x\n\nclass A:\n    # why\n    @property\n    @cached(\n        size=3,\n    )\n    def v(self):\n        return 1\n\n    x = 1  # note\n    def w(self):\n        pass\n";
        let got = spans(Lang::Python, src);
        assert!(got.contains(&("A.v".into(), 4, 9, 9)), "{got:?}");
        assert!(
            got.contains(&("A.w".into(), 13, 13, 13)),
            "a trailing comment of a statement is not attached: {got:?}"
        );
    }

    #[test]
    fn rust_attributes_and_docs_but_not_inner_docs_or_comments_past_a_blank_line() {
        let src = "//! crate\nfn a() {}\n// loose\n\n/// Doc.\n#[inline]\n#[cfg(\n    test\n)]\npub fn b() {}\nimpl S {\n    /// M.\n    fn m(&self) {}\n}\n";
        let got = spans(Lang::Rust, src);
        assert!(got.contains(&("a".into(), 2, 2, 2)), "{got:?}");
        assert!(got.contains(&("b".into(), 5, 10, 10)), "{got:?}");
        assert!(got.contains(&("S.m".into(), 12, 13, 13)), "{got:?}");
    }

    #[test]
    fn java_annotations_inside_the_node_come_before_its_head() {
        let src = "class A {\n  /** Doc. */\n  @Override\n  @SuppressWarnings({\"x\"})\n  public String toString() { return \"\"; }\n  @Deprecated void old() {}\n}\n";
        let got = spans(Lang::Java, src);
        assert!(got.contains(&("A.toString".into(), 2, 3, 5)), "{got:?}");
        assert!(got.contains(&("A.old".into(), 6, 6, 6)), "an annotation on the signature's line: {got:?}");
    }

    #[test]
    fn typescript_decorators_and_exports() {
        let src = "/** The app. */\n@Component({\n  selector: \"x\",\n})\nexport class App {\n  @Input()\n  run(): void {}\n}\n";
        let got = spans(Lang::TypeScript, src);
        assert!(got.iter().any(|(q, first, _, _)| q == "App" && *first == 1), "{got:?}");
        assert!(got.contains(&("App.run".into(), 6, 7, 7)), "{got:?}");
    }

    #[test]
    fn wrappers_and_shared_lines() {
        let js = "// g.\nexport const g = () => 1;\nclass A { run() {} }\n";
        let got: Vec<(String, usize, bool)> = sites(Lang::JavaScript, js)
            .unwrap()
            .into_iter()
            .map(|s| (s.def.qualified, s.first_line, s.own_lines))
            .collect();
        assert_eq!(got, vec![("g".into(), 1, true), ("A".into(), 3, true), ("A.run".into(), 3, false)]);
        let cpp = "template <typename T>\nT twice(T x) { return x + x; }\n";
        let got = sites(Lang::Cpp, cpp).unwrap();
        assert_eq!((got[0].first_line, got[0].def.start_line, got[0].head_line), (1, 2, 1), "{got:?}");
        let go = "package p\n\n// S is.\ntype S struct{}\n";
        let got = sites(Lang::Go, go).unwrap();
        assert_eq!((got[0].first_line, got[0].own_lines), (3, true), "{got:?}");
    }

    #[test]
    fn go_receivers_are_named() {
        let src = "package p\n\n// M does.\nfunc (s *S) M() {}\nfunc (l List[T]) Len() int { return 0 }\nfunc F() {}\n";
        let got: Vec<(String, Option<String>, usize)> =
            sites(Lang::Go, src).unwrap().into_iter().map(|s| (s.def.name, s.receiver, s.first_line)).collect();
        assert_eq!(
            got,
            vec![("M".into(), Some("S".into()), 3), ("Len".into(), Some("List".into()), 5), ("F".into(), None, 6)]
        );
    }
}
