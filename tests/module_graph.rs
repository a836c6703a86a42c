//! The pipeline's modules depend on each other in one direction only: no
//! cycle among the top-level modules of `src/` (collect → snapshot → evaluate
//! → triage → report, with `finding` the shared result model).
//!
//! A cycle is how a junk drawer starts: two modules that import each other
//! are one module in two files, and the next change lands in whichever is at
//! hand. The graph is read from the source with `syn` (paths `crate::x::…` in
//! code, `use` trees and macro arguments; doc comments do not count), leaving
//! out what only tests compile (`#[cfg(test)]` items and the files of
//! `#[cfg(test)] mod x;`), since a test may reach across stages to set up data.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module's references to other top-level modules: target → the files that make them.
type Edges = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

#[test]
fn top_level_modules_have_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = module_edges(&src);
    assert!(edges.len() >= 10, "too few modules read from {}: {:?}", src.display(), edges.keys().collect::<Vec<_>>());
    let cycles = cycles(&edges);
    let explain = |cycle: &Vec<String>| {
        let mut lines = vec![cycle.join(" ⇄ ")];
        for from in cycle {
            for (to, files) in &edges[from] {
                if cycle.contains(to) {
                    lines.push(format!("  {from} → {to}: {}", files.iter().cloned().collect::<Vec<_>>().join(", ")));
                }
            }
        }
        lines.join("\n")
    };
    assert!(cycles.is_empty(), "import cycles among src/'s modules:\n{}", cycles.iter().map(explain).collect::<Vec<_>>().join("\n"));
}

/// The checker finds a cycle where there is one, and names the files making it.
#[test]
fn a_cycle_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n");
    write("a.rs", "use crate::b::Thing;\n/// Not a reference: [`crate::c`].\npub fn f() {}\n");
    write("b/mod.rs", "mod inner;\n#[cfg(test)]\nmod tests;\n");
    write("b/inner.rs", "pub fn g() { let _ = format!(\"{}\", crate::a::f()); }\n");
    write("b/tests.rs", "use crate::c::X;\n");
    write("c.rs", "#[cfg(test)]\nmod tests { use crate::a::f; }\n");
    let edges = module_edges(dir.path());
    assert_eq!(cycles(&edges), [vec!["a".to_owned(), "b".to_owned()]]);
    assert_eq!(edges["b"]["a"], BTreeSet::from(["b/inner.rs".to_owned()]));
    assert!(!edges["a"].contains_key("c"), "a doc comment is not a reference: {edges:?}");
    assert!(!edges["b"].contains_key("c") && !edges["c"].contains_key("a"), "test-only code does not count: {edges:?}");
}

/// Every top-level module of `src` (a directory tree with `lib.rs`), with the
/// other top-level modules its non-test code names.
fn module_edges(src: &Path) -> Edges {
    let files = rust_files(src);
    let test_only: BTreeSet<PathBuf> = files.iter().flat_map(|(path, file)| test_module_files(path, file)).collect();
    let mut edges = Edges::new();
    for (path, file) in &files {
        let relative = path.strip_prefix(src).unwrap();
        let top = match relative.components().next().unwrap().as_os_str().to_str().unwrap() {
            "lib.rs" | "main.rs" => continue,
            name => name.trim_end_matches(".rs").to_owned(),
        };
        let entry = edges.entry(top.clone()).or_default();
        if test_only.contains(path) {
            continue;
        }
        let mut refs = CrateRefs::default();
        refs.visit_file(file);
        for target in refs.0.into_iter().filter(|t| *t != top) {
            entry.entry(target).or_default().insert(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    edges
}

fn rust_files(dir: &Path) -> Vec<(PathBuf, syn::File)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.push((path, file));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The files of the `#[cfg(test)] mod name;` declarations in `file` (at `path`).
fn test_module_files(path: &Path, file: &syn::File) -> Vec<PathBuf> {
    let stem = path.file_stem().unwrap().to_str().unwrap();
    let dir = path.parent().unwrap();
    // A module's children live beside `mod.rs` / `lib.rs`, else in a directory named after it.
    let children = if matches!(stem, "mod" | "lib" | "main") { dir.to_owned() } else { dir.join(stem) };
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) if m.content.is_none() && is_test_only(&m.attrs) => Some(m.ident.to_string()),
            _ => None,
        })
        .flat_map(|name| [children.join(format!("{name}.rs")), children.join(&name).join("mod.rs")])
        .collect()
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string().split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == "test"))
    })
}

/// Top-level modules named by `crate::<module>` in a file's non-test code.
#[derive(Default)]
struct CrateRefs(BTreeSet<String>);

impl CrateRefs {
    fn path_segments<'a>(&mut self, mut segments: impl Iterator<Item = &'a syn::Ident>) {
        if segments.next().is_some_and(|s| s == "crate")
            && let Some(module) = segments.next()
        {
            self.0.insert(module.to_string());
        }
    }
}

impl<'ast> Visit<'ast> for CrateRefs {
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {
        // Doc comments and other attributes name paths without depending on them.
    }
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Struct(s) => &s.attrs,
            syn::Item::Enum(e) => &e.attrs,
            syn::Item::Const(c) => &c.attrs,
            syn::Item::Static(s) => &s.attrs,
            syn::Item::Type(t) => &t.attrs,
            syn::Item::Trait(t) => &t.attrs,
            syn::Item::Macro(m) => &m.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if !is_test_only(attrs) {
            syn::visit::visit_item(self, item);
        }
    }
    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test_only(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }
    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.path_segments(path.segments.iter().map(|s| &s.ident));
        syn::visit::visit_path(self, path);
    }
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if let syn::UseTree::Path(p) = &item.tree
            && p.ident == "crate"
        {
            let mut firsts = Vec::new();
            use_tree_firsts(&p.tree, &mut firsts);
            self.0.extend(firsts);
        }
    }
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // Macro arguments are tokens, not syntax: find `crate :: name` in them.
        let tokens: Vec<String> = mac.tokens.clone().into_iter().flat_map(flatten).collect();
        for w in tokens.windows(4) {
            if w[0] == "crate" && w[1] == ":" && w[2] == ":" {
                self.0.insert(w[3].clone());
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// The first segment of every path in a `use crate::{…}` tree.
fn use_tree_firsts(tree: &syn::UseTree, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(p) => out.push(p.ident.to_string()),
        syn::UseTree::Name(n) => out.push(n.ident.to_string()),
        syn::UseTree::Rename(r) => out.push(r.ident.to_string()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_tree_firsts(t, out)),
        syn::UseTree::Glob(_) => {}
    }
}

fn flatten(tree: proc_macro2::TokenTree) -> Vec<String> {
    match tree {
        proc_macro2::TokenTree::Group(g) => g.stream().into_iter().flat_map(flatten).collect(),
        proc_macro2::TokenTree::Punct(p) => vec![p.as_char().to_string()],
        other => vec![other.to_string()],
    }
}

/// The strongly connected components of more than one module (Tarjan), each sorted.
fn cycles(edges: &Edges) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a Edges,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn connect<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        for w in s.edges.get(v).into_iter().flat_map(|t| t.keys()).filter(|w| s.edges.contains_key(w.as_str())) {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                connect(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.stack.contains(&w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State { edges, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), found: Vec::new() };
    for v in edges.keys() {
        if !state.index.contains_key(v.as_str()) {
            connect(&mut state, v);
        }
    }
    state.found.sort();
    state.found
}
