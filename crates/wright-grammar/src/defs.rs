//! Definitions (functions, classes, types…) with their line spans, found by walking the
//! syntax tree with a small per-language table of node kinds.

use tree_sitter::Node;

use crate::{GrammarError, Lang, parse};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefKind {
    Function,
    Method,
    Class,
    Struct,
    Enum,
    Trait,
    Interface,
    Type,
    Module,
    Impl,
    Macro,
    Const,
}

impl DefKind {
    pub fn name(self) -> &'static str {
        match self {
            DefKind::Function => "function",
            DefKind::Method => "method",
            DefKind::Class => "class",
            DefKind::Struct => "struct",
            DefKind::Enum => "enum",
            DefKind::Trait => "trait",
            DefKind::Interface => "interface",
            DefKind::Type => "type",
            DefKind::Module => "module",
            DefKind::Impl => "impl",
            DefKind::Macro => "macro",
            DefKind::Const => "const",
        }
    }

    fn is_container(self) -> bool {
        matches!(
            self,
            DefKind::Class
                | DefKind::Struct
                | DefKind::Trait
                | DefKind::Interface
                | DefKind::Impl
                | DefKind::Module
                | DefKind::Enum
        )
    }
}

/// One definition: `qualified` joins enclosing container names with `.`
/// (`Request.register_hook`), as stack traces and reviewers name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    pub qualified: String,
    pub kind: DefKind,
    /// 1-based, inclusive.
    pub start_line: usize,
    pub end_line: usize,
}

/// Below this many tree levels a walk looks no further: no definition worth listing sits
/// there, and a file nested that deep (200,000 brackets) is built to hurt, not to read.
const MAX_DEPTH: usize = 1024;

/// A definition whose qualified name would be longer is left out with all it holds, so
/// the names listed stay linear in the file, whatever its nesting.
const MAX_QUALIFIED: usize = 512;

/// The definitions in `source`, in source order. The walk is a loop over a cursor, not a
/// recursion, so no nesting can exhaust the stack; subtrees deeper than [`MAX_DEPTH`] are
/// not looked into.
pub fn definitions(lang: Lang, source: &str) -> Result<Vec<Definition>, GrammarError> {
    walk(lang, source, |_, def| def)
}

/// The walk behind [`definitions`]: `each` is given every definition with its node, in
/// source order, and what it returns is collected.
pub(crate) fn walk<T>(
    lang: Lang,
    source: &str,
    mut each: impl FnMut(Node, Definition) -> T,
) -> Result<Vec<T>, GrammarError> {
    let tree = parse(lang, source)?;
    let src = source.as_bytes();
    let mut out = Vec::new();
    let mut scope = Scope::default();
    let mut cursor = tree.walk();
    if !cursor.goto_first_child() {
        return Ok(out);
    }
    let mut depth = 1;
    loop {
        let node = cursor.node();
        let walk_in = node.is_named() && visit(lang, src, node, depth, &mut scope, &mut |d| out.push(each(node, d)));
        if walk_in && depth < MAX_DEPTH && cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        // Leave this node, and each parent that has no next sibling.
        loop {
            scope.leave(depth);
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return Ok(out);
            }
            depth -= 1;
        }
    }
}

/// Records `node` when it is a definition; whether its children are worth walking.
fn visit(lang: Lang, src: &[u8], node: Node, depth: usize, scope: &mut Scope, out: &mut dyn FnMut(Definition)) -> bool {
    let Some((kind, name)) = classify(lang, node).and_then(|kind| Some((kind, name_of(lang, node, src)?))) else {
        return true;
    };
    let in_container = !scope.is_empty();
    let kind = if kind == DefKind::Function && in_container { DefKind::Method } else { kind };
    let qualified = scope.qualify(&name);
    if qualified.len() > MAX_QUALIFIED {
        return false;
    }
    out(Definition {
        name: name.clone(),
        qualified,
        kind,
        start_line: node.start_position().row + 1,
        end_line: node.end_position().row + 1,
    });
    if kind.is_container() || matches!(lang, Lang::Python) {
        scope.enter(depth, &name);
    }
    true
}

/// The enclosing containers' names joined with `.`, and where each one starts in that
/// text, keyed by the tree depth of its node: entering and leaving are O(1).
#[derive(Default)]
struct Scope {
    joined: String,
    open: Vec<(usize, usize)>,
}

impl Scope {
    fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    fn qualify(&self, name: &str) -> String {
        if self.is_empty() { name.to_string() } else { format!("{}.{name}", self.joined) }
    }

    fn enter(&mut self, depth: usize, name: &str) {
        self.open.push((depth, self.joined.len()));
        if !self.joined.is_empty() {
            self.joined.push('.');
        }
        self.joined.push_str(name);
    }

    /// Closes the containers whose node is at `depth` or below.
    fn leave(&mut self, depth: usize) {
        while let Some(&(at, len)) = self.open.last() {
            if at < depth {
                break;
            }
            self.joined.truncate(len);
            self.open.pop();
        }
    }
}

fn classify(lang: Lang, node: Node) -> Option<DefKind> {
    use DefKind::*;
    let kind = node.kind();
    let common = match kind {
        "function_definition"
        | "function_declaration"
        | "function_item"
        | "function_signature_item"
        | "generator_function_declaration"
        | "method_declaration"
        | "constructor_declaration"
        | "method_definition" => Function,
        "class_definition" | "class_declaration" | "abstract_class_declaration" | "class_specifier" => Class,
        "struct_item" | "struct_specifier" | "union_specifier" | "union_item" => Struct,
        "enum_item" | "enum_declaration" | "enum_specifier" => Enum,
        "trait_item" => Trait,
        "interface_declaration" => Interface,
        "type_item" | "type_alias_declaration" | "type_definition" | "type_spec" => Type,
        "mod_item" | "namespace_definition" | "internal_module" => Module,
        "impl_item" => Impl,
        "macro_definition" => Macro,
        "const_item" | "static_item" => Const,
        "record_declaration" => Class,
        "variable_declarator" if matches!(lang, Lang::JavaScript | Lang::TypeScript | Lang::Tsx) => {
            let value = node.child_by_field_name("value")?;
            match value.kind() {
                "arrow_function" | "function_expression" | "function" => Function,
                _ => return None,
            }
        }
        _ => return None,
    };
    // A C/C++ struct or enum without a body is a use, not a definition.
    if matches!(common, Struct | Enum | Class)
        && matches!(lang, Lang::C | Lang::Cpp)
        && node.child_by_field_name("body").is_none()
    {
        return None;
    }
    Some(common)
}

fn name_of(lang: Lang, node: Node, src: &[u8]) -> Option<String> {
    let named = match (lang, node.kind()) {
        (_, "impl_item") => node.child_by_field_name("type"),
        (Lang::C | Lang::Cpp, "function_definition" | "type_definition") => {
            declarator_name(node.child_by_field_name("declarator")?)
        }
        _ => node.child_by_field_name("name"),
    }?;
    let text = named.utf8_text(src).ok()?.trim();
    // `impl<T> Foo<T>` names the type without its parameters.
    let text = text.split('<').next().unwrap_or(text).trim();
    (!text.is_empty()).then(|| text.replace("::", "."))
}

/// Follows C/C++ declarators (pointer, function, parenthesized) down to the name.
fn declarator_name(mut node: Node) -> Option<Node> {
    loop {
        match node.kind() {
            "identifier"
            | "field_identifier"
            | "type_identifier"
            | "qualified_identifier"
            | "destructor_name"
            | "operator_name"
            | "primitive_type" => return Some(node),
            _ => node = node.child_by_field_name("declarator").or_else(|| node.named_child(0))?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(lang: Lang, src: &str) -> Vec<(String, &'static str, usize, usize)> {
        definitions(lang, src)
            .unwrap()
            .into_iter()
            .map(|d| (d.qualified, d.kind.name(), d.start_line, d.end_line))
            .collect()
    }

    fn has(lang: Lang, src: &str, want: &[(&str, &str)]) {
        let got = names(lang, src);
        for (name, kind) in want {
            assert!(
                got.iter().any(|(n, k, _, _)| n == name && k == kind),
                "{}: missing {kind} {name} in {got:?}",
                lang.name()
            );
        }
    }

    #[test]
    fn python() {
        let src = "class Request:\n    def register_hook(self, e, h):\n        pass\n\ndef top():\n    def inner():\n        pass\n";
        assert_eq!(
            names(Lang::Python, src),
            vec![
                ("Request".into(), "class", 1, 3),
                ("Request.register_hook".into(), "method", 2, 3),
                ("top".into(), "function", 5, 7),
                ("top.inner".into(), "method", 6, 7),
            ]
        );
    }

    #[test]
    fn rust() {
        let src = "mod m {\n    pub struct S;\n    impl<T> Tr for S { fn go(&self) {} }\n    pub trait Tr { fn go(&self); }\n}\nfn main() {}\nmacro_rules! mac { () => {} }\nenum E { A }\n";
        has(
            Lang::Rust,
            src,
            &[
                ("m", "module"),
                ("m.S", "struct"),
                ("m.S.go", "method"),
                ("m.Tr", "trait"),
                ("main", "function"),
                ("mac", "macro"),
                ("E", "enum"),
            ],
        );
    }

    #[test]
    fn javascript_and_typescript() {
        let js = "class A { run() {} }\nfunction f() {}\nconst g = () => 1;\nconst h = function() {};\n";
        has(
            Lang::JavaScript,
            js,
            &[("A", "class"), ("A.run", "method"), ("f", "function"), ("g", "function"), ("h", "function")],
        );
        let ts = "interface I { x: number }\ntype T = string;\nenum E { A }\nexport class C { m(): void {} }\nfunction f(a: number): number { return a }\n";
        has(
            Lang::TypeScript,
            ts,
            &[("I", "interface"), ("T", "type"), ("E", "enum"), ("C", "class"), ("C.m", "method"), ("f", "function")],
        );
        has(Lang::Tsx, "function App() { return <div/>; }\n", &[("App", "function")]);
    }

    #[test]
    fn go_and_java() {
        let go = "package p\ntype S struct{}\nfunc (s *S) M() {}\nfunc F() {}\n";
        has(Lang::Go, go, &[("S", "type"), ("M", "function"), ("F", "function")]);
        let java = "class A {\n  A() {}\n  void m() {}\n  interface I {}\n  enum E { X }\n}\n";
        has(
            Lang::Java,
            java,
            &[("A", "class"), ("A.A", "method"), ("A.m", "method"), ("A.I", "interface"), ("A.E", "enum")],
        );
    }

    #[test]
    fn c_and_cpp() {
        let c = "struct point { int x; };\ntypedef int num;\nstatic int *make(void) { return 0; }\nvoid use(struct point p);\n";
        assert_eq!(
            names(Lang::C, c),
            vec![("point".into(), "struct", 1, 1), ("num".into(), "type", 2, 2), ("make".into(), "function", 3, 3)]
        );
        let cpp = "namespace ns {\nclass W { public: void m(); };\n}\nvoid ns::W::m() {}\nint main() { return 0; }\n";
        has(Lang::Cpp, cpp, &[("ns", "module"), ("ns.W", "class"), ("ns.W.m", "function"), ("main", "function")]);
    }

    #[test]
    fn deep_nesting_is_walked_without_recursion() {
        let n = 200_000;
        for (lang, src) in [
            (Lang::Python, format!("def top():\n    x = {}1{}\n", "(".repeat(n), ")".repeat(n))),
            (Lang::JavaScript, format!("function top() {{ return {}1{}; }}\n", "[".repeat(n), "]".repeat(n))),
            (Lang::Rust, format!("fn top() {{ let x = {}1{}; }}\n", "(".repeat(n), ")".repeat(n))),
            (Lang::C, format!("int top() {{ {}{} }}\n", "{".repeat(n), "}".repeat(n))),
        ] {
            let got = definitions(lang, &src).unwrap();
            assert_eq!(got.first().map(|d| d.name.as_str()), Some("top"), "{}", lang.name());
        }
    }

    #[test]
    fn definitions_below_the_caps_are_left_out() {
        let n = 2 * MAX_DEPTH;
        let js = format!("let x = {}function inner() {{}}{};\nfunction after() {{}}\n", "[".repeat(n), "]".repeat(n));
        let got = definitions(Lang::JavaScript, &js).unwrap();
        assert!(got.iter().all(|d| d.name != "inner"), "too deep to list: {got:?}");
        assert!(got.iter().any(|d| d.qualified == "after"), "the walk goes on after a deep subtree");

        let rust = format!("{}fn inner() {{}}{}\nfn after() {{}}\n", "mod m { ".repeat(n), "}".repeat(n));
        let got = definitions(Lang::Rust, &rust).unwrap();
        assert!(got.iter().all(|d| d.qualified.len() <= MAX_QUALIFIED));
        assert!(got.iter().all(|d| d.name != "inner"), "too long a name to list");
        assert!(got.iter().any(|d| d.qualified == "m.m.m"));
        assert!(got.iter().any(|d| d.qualified == "after"));
    }

    #[test]
    fn languages_by_extension() {
        for (path, lang) in [("a.rs", Lang::Rust), ("x/b.PY", Lang::Python), ("c.tsx", Lang::Tsx), ("d.hpp", Lang::Cpp)]
        {
            assert_eq!(Lang::from_path(std::path::Path::new(path)), Some(lang));
        }
        assert_eq!(Lang::from_path(std::path::Path::new("README.md")), None);
        for lang in Lang::ALL {
            assert!(parse(lang, "").is_ok(), "{} grammar loads", lang.name());
        }
    }
}
