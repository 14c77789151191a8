//! `replace_definition` on real files in each language wright indexes.

use std::path::Path;

use serde_json::json;

use super::*;

fn ctx(root: &Path) -> ToolContext {
    ToolContext::bare(root)
}

/// `file` holding `text` in a fresh tree, `symbol` replaced by `new`: the answer (or the
/// error's message) and the file afterwards.
fn replace(file: &str, text: &str, symbol: &str, new: &str) -> (Result<ToolOutput, String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let args = json!({"path": file, "symbol": symbol, "new": new});
    let out = ReplaceDefinition.call(&ctx(dir.path()), &args).map_err(|e| e.to_string());
    (out, std::fs::read_to_string(&path).unwrap())
}

fn replaced(file: &str, text: &str, symbol: &str, new: &str) -> String {
    let (out, now) = replace(file, text, symbol, new);
    let out = out.unwrap_or_else(|e| panic!("{file} {symbol}: {e}"));
    assert!(out.text.contains(&format!("of {file}")) && out.text.contains("\n--- a/"), "{}", out.text);
    assert_eq!(out.change.as_deref(), Some(format!("Update {file}").as_str()));
    now
}

fn refused(file: &str, text: &str, symbol: &str, new: &str) -> String {
    let (out, now) = replace(file, text, symbol, new);
    assert_eq!(now, text, "a refused call leaves the file as it was");
    out.err().unwrap_or_else(|| panic!("{file} {symbol}: accepted"))
}

const SHAPES: &str = "import math\n\n\nclass Rect:\n    def __init__(self, w, h):\n        self.w = w\n        self.h = h\n\n    def area(self):\n        return self.w + self.h\n\n    class Unit:\n        def name(self):\n            return \"m\"\n\n\n@functools.cache\ndef unit_area():\n    return 1\n";

#[test]
fn python_a_flush_left_method_is_indented_into_its_class() {
    let now = replaced("shapes.py", SHAPES, "Rect.area", "def area(self):\n    return self.w * self.h\n");
    assert!(now.contains("\n    def area(self):\n        return self.w * self.h\n\n    class Unit:"), "{now}");
    assert_eq!(now.lines().count(), SHAPES.lines().count());
}

#[test]
fn python_a_method_of_a_nested_class() {
    let now = replaced("shapes.py", SHAPES, "Rect.Unit.name", "def name(self):\n    return \"metre\"");
    assert!(now.contains("\n    class Unit:\n        def name(self):\n            return \"metre\"\n"), "{now}");
}

#[test]
fn python_decorators_are_kept_unless_new_brings_its_own() {
    let (out, now) = replace("shapes.py", SHAPES, "unit_area", "def unit_area():\n    return 1.0");
    let said = out.unwrap().text;
    assert!(
        said.starts_with("Replaced function unit_area (lines 17-19) of shapes.py; kept the decorators above it (1 line), which `new` left out.\n"),
        "{said}"
    );
    assert!(now.ends_with("\n\n\n@functools.cache\ndef unit_area():\n    return 1.0\n"), "{now}");
    let now =
        replaced("shapes.py", SHAPES, "unit_area", "@functools.lru_cache(maxsize=1)\ndef unit_area():\n    return 1.0");
    assert!(now.ends_with("\n\n\n@functools.lru_cache(maxsize=1)\ndef unit_area():\n    return 1.0\n"), "{now}");
    assert!(!now.contains("@functools.cache"), "{now}");
}

#[test]
fn rust_an_impl_method_and_a_free_function() {
    let src = "pub struct Stack {\n    items: Vec<i32>,\n}\n\nimpl Stack {\n    /// Takes the top.\n    #[must_use]\n    pub fn pop(&mut self) -> Option<i32> {\n        self.items.first().copied()\n    }\n}\n\npub fn total(xs: &[i32]) -> i32 {\n    xs.iter().product()\n}\n";
    let now =
        replaced("src/lib.rs", src, "Stack.pop", "pub fn pop(&mut self) -> Option<i32> {\n    self.items.pop()\n}");
    assert!(
        now.contains("    /// Takes the top.\n    #[must_use]\n    pub fn pop(&mut self) -> Option<i32> {\n        self.items.pop()\n    }\n}"),
        "{now}"
    );
    let now = replaced("src/lib.rs", src, "total", "pub fn total(xs: &[i32]) -> i32 {\n    xs.iter().sum()\n}");
    assert!(now.ends_with("pub fn total(xs: &[i32]) -> i32 {\n    xs.iter().sum()\n}\n"), "{now}");
}

#[test]
fn go_a_method_with_a_receiver() {
    let src = "package stack\n\ntype Stack struct {\n\titems []int\n}\n\n// Push adds v on top.\nfunc (s *Stack) Push(v int) {\n\ts.items = append([]int{v}, s.items...)\n}\n\nfunc (q *Queue) Push(v int) {}\n";
    let new = "func (s *Stack) Push(v int) {\n\ts.items = append(s.items, v)\n}";
    let now = replaced("stack.go", src, "Stack.Push", new);
    assert!(
        now.contains(
            "// Push adds v on top.\nfunc (s *Stack) Push(v int) {\n\ts.items = append(s.items, v)\n}\n\nfunc (q"
        ),
        "{now}"
    );
}

#[test]
fn javascript_a_class_method_and_a_function() {
    let src = "export class Cart {\n  constructor() {\n    this.items = [];\n  }\n\n  total() {\n    return this.items.length;\n  }\n}\n\nexport function sum(xs) {\n  return 0;\n}\n";
    let new = "total() {\n  return this.items.reduce((a, i) => a + i.price, 0);\n}";
    let now = replaced("cart.js", src, "Cart.total", new);
    assert!(now.contains("\n  total() {\n    return this.items.reduce((a, i) => a + i.price, 0);\n  }\n}\n"), "{now}");
    let now = replaced("cart.js", src, "sum", "function sum(xs) {\n  return xs.reduce((a, b) => a + b, 0);\n}");
    assert!(
        now.ends_with("export function sum(xs) {\n  return xs.reduce((a, b) => a + b, 0);\n}\n"),
        "export is kept: {now}"
    );
}

#[test]
fn typescript_a_class_method_and_a_function() {
    let src = "class Range {\n  constructor(private lo: number, private hi: number) {}\n\n  contains(x: number): boolean {\n    return x > this.lo && x < this.hi;\n  }\n}\n\nfunction clamp(x: number, lo: number, hi: number): number {\n  return x;\n}\n";
    let new = "    contains(x: number): boolean {\n      return x >= this.lo && x <= this.hi;\n    }";
    let now = replaced("range.ts", src, "Range.contains", new);
    assert!(
        now.contains("\n  contains(x: number): boolean {\n    return x >= this.lo && x <= this.hi;\n  }\n}"),
        "{now}"
    );
    let new = "function clamp(x: number, lo: number, hi: number): number {\n  return Math.min(hi, Math.max(lo, x));\n}";
    let now = replaced("range.ts", src, "clamp", new);
    assert!(now.ends_with(&format!("{new}\n")), "{now}");
}

#[test]
fn java_a_method_keeps_its_annotation() {
    let src = "public class Money {\n    private final long cents;\n\n    Money(long cents) {\n        this.cents = cents;\n    }\n\n    /** The amount as text. */\n    @Override\n    public String toString() {\n        return \"\" + cents;\n    }\n}\n";
    let new = "public String toString() {\n    return String.format(\"%d.%02d\", cents / 100, cents % 100);\n}";
    let now = replaced("Money.java", src, "Money.toString", new);
    assert!(
        now.contains("    /** The amount as text. */\n    @Override\n    public String toString() {\n        return String.format(\"%d.%02d\", cents / 100, cents % 100);\n    }\n}"),
        "{now}"
    );
}

#[test]
fn c_and_cpp_functions() {
    let c = "#include <stddef.h>\n\nstatic int max(int a, int b) {\n    return a < b ? a : b;\n}\n\nint main(void) {\n    return max(1, 2);\n}\n";
    let now = replaced("max.c", c, "max", "static int max(int a, int b) {\n    return a > b ? a : b;\n}");
    assert!(now.contains("static int max(int a, int b) {\n    return a > b ? a : b;\n}\n\nint main"), "{now}");
    let cpp = "namespace geo {\nclass Circle {\n  public:\n    double area() const;\n    double r = 1;\n};\n}\n\ndouble geo::Circle::area() const {\n    return r * r;\n}\n";
    let now = replaced(
        "circle.cpp",
        cpp,
        "geo::Circle::area",
        "double geo::Circle::area() const {\n    return 3.14159 * r * r;\n}",
    );
    assert!(now.ends_with("double geo::Circle::area() const {\n    return 3.14159 * r * r;\n}\n"), "{now}");
}

#[test]
fn a_name_that_is_not_unique_lists_the_candidates() {
    let src = "class Circle:\n    def area(self):\n        return 0\n\n\nclass Square:\n    def area(self):\n        return 0\n";
    let said = refused("shapes.py", src, "area", "def area(self):\n    return 1");
    assert!(said.contains("`area` names 2 definitions in this file:"), "{said}");
    assert!(said.contains("  Circle.area  (method, lines 2-3)\n  Square.area  (method, lines 7-8)"), "{said}");
    assert!(said.contains("with the qualified name of the one you mean (e.g. `Circle.area`) as `symbol`"), "{said}");
}

#[test]
fn a_name_found_nowhere_lists_the_definitions() {
    let said = refused("shapes.py", SHAPES, "perimeter", "def perimeter(self):\n    return 0");
    assert!(said.contains("no function, method or class named `perimeter`"), "{said}");
    assert!(
        said.contains("  Rect.area  (method, lines 9-10)") && said.contains("  unit_area  (function, lines 17-19)"),
        "{said}"
    );
}

#[test]
fn a_syntax_error_in_new_is_refused_and_the_file_kept() {
    let said = refused("shapes.py", SHAPES, "Rect.area", "def area(self):\n    return (self.w * self.h\n");
    assert!(said.contains("syntax errors") && said.contains("nothing was written"), "{said}");
    let said = refused("cart.js", "function f() {\n  return 1;\n}\n", "f", "function f() {\n  return 2;\n");
    assert!(said.contains("syntax errors"), "{said}");
}

#[test]
fn an_error_only_the_compiler_sees_is_refused_too() {
    let new = "def area(self):\n    if self.w:\n        return 0\n        return 1\n      x = 1";
    let said = refused("shapes.py", SHAPES, "Rect.area", new);
    assert!(said.contains("python3's compiler") && said.contains("IndentationError"), "{said}");
}

#[test]
fn fenced_new_is_unwrapped_and_empty_or_unchanged_new_is_refused() {
    let now = replaced("shapes.py", SHAPES, "unit_area", "```python\ndef unit_area():\n    return 2\n```");
    assert!(now.ends_with("@functools.cache\ndef unit_area():\n    return 2\n"), "{now}");
    let said = refused("shapes.py", SHAPES, "unit_area", "```\n```");
    assert!(said.contains("`new` is empty") && said.contains("does not delete definitions"), "{said}");
    let said = refused("shapes.py", SHAPES, "Rect.area", "def area(self):\n    return self.w + self.h");
    assert!(
        said.contains("`new` is the same as the current method `Rect.area` (lines 9-10); nothing would change"),
        "{said}"
    );
}

#[test]
fn new_text_that_is_not_the_definition_is_refused() {
    let said = refused("shapes.py", SHAPES, "Rect.area", "return self.w * self.h");
    assert!(
        said.contains("`new` holds no definition") && said.contains("from its signature line to its end"),
        "{said}"
    );
    let said = refused("shapes.py", SHAPES, "Rect.area", "def test_area():\n    assert Rect(2, 3).area() == 6");
    assert!(said.contains("`new` defines `test_area`, not `area`"), "{said}");
}

#[test]
fn files_without_a_grammar_and_definitions_sharing_a_line_are_left_to_edit() {
    let said = refused("notes.txt", "def f():\n", "f", "def f():\n    pass");
    assert!(said.contains("change this file with edit"), "{said}");
    let said = refused("a.rs", "impl S { fn m(&self) {} }\n", "S.m", "fn m(&self) { todo!() }");
    assert!(said.contains("method `S.m` shares line 1 with other code"), "{said}");
    let (out, _) = replace("missing.py", "", "f", "def f():\n    pass");
    let dir = tempfile::tempdir().unwrap();
    let err =
        ReplaceDefinition.call(&ctx(dir.path()), &json!({"path": "gone.py", "symbol": "f", "new": "def f(): pass"}));
    assert!(err.unwrap_err().to_string().contains("gone.py: no such file"));
    assert!(out.unwrap_err().contains("no function, method or class that wright can find"));
}

#[test]
fn the_call_names_the_file_it_edits() {
    assert_eq!(ReplaceDefinition.edits(&json!({"path": "a.py", "symbol": "f", "new": "x"})), ["a.py"]);
    assert!(ReplaceDefinition.edits(&json!({})).is_empty());
}
