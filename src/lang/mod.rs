//! Which language a file is, from its name, using `grammars/languages.toml`
//! (embedded in the binary), and the grammars that find symbols in it.
//! Pure lookups; no file is opened here.

pub mod grammar;

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// What a symbol is. A closed set: grammar tables name one of these, and
/// JSON, references and the cache spell it in lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SymbolKind {
    /// A free function.
    Function,
    /// A function inside a type.
    Method,
    /// A class.
    Class,
    /// A struct.
    Struct,
    /// An enum.
    Enum,
    /// A C union.
    Union,
    /// An interface (Java, C#, TypeScript, PHP, Go).
    Interface,
    /// A Rust trait or PHP trait.
    Trait,
    /// A Rust impl block.
    Impl,
    /// A macro.
    Macro,
    /// A module (Ruby, Rust, TypeScript).
    Module,
    /// A namespace (C++, C#, PHP).
    Namespace,
    /// A type alias or declaration.
    Type,
    /// A document's section: a heading and what follows it, up to the
    /// next heading of the same or a higher level.
    Section,
}

impl SymbolKind {
    /// Every kind, in declaration order.
    pub const ALL: [SymbolKind; 14] = [
        SymbolKind::Function,
        SymbolKind::Method,
        SymbolKind::Class,
        SymbolKind::Struct,
        SymbolKind::Enum,
        SymbolKind::Union,
        SymbolKind::Interface,
        SymbolKind::Trait,
        SymbolKind::Impl,
        SymbolKind::Macro,
        SymbolKind::Module,
        SymbolKind::Namespace,
        SymbolKind::Type,
        SymbolKind::Section,
    ];

    /// The name JSON and reports print.
    pub fn name(self) -> &'static str {
        match self {
            SymbolKind::Function => "function",
            SymbolKind::Method => "method",
            SymbolKind::Class => "class",
            SymbolKind::Struct => "struct",
            SymbolKind::Enum => "enum",
            SymbolKind::Union => "union",
            SymbolKind::Interface => "interface",
            SymbolKind::Trait => "trait",
            SymbolKind::Impl => "impl",
            SymbolKind::Macro => "macro",
            SymbolKind::Module => "module",
            SymbolKind::Namespace => "namespace",
            SymbolKind::Type => "type",
            SymbolKind::Section => "section",
        }
    }

    /// Whether it is code that runs (a function or method).
    pub fn is_callable(self) -> bool {
        matches!(self, SymbolKind::Function | SymbolKind::Method)
    }
}

impl std::fmt::Display for SymbolKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad` keeps width and alignment flags working in tables.
        f.pad(self.name())
    }
}

/// What a file's content is, as far as a session is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Source code a session reads and edits.
    Code,
    /// Documentation and templates.
    Markup,
    /// Settings files.
    Config,
    /// Tables, dumps, source maps: rarely worth reading whole.
    Data,
}

/// One language as the registry describes it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    /// The name reports show (`rust`, `python`, ...).
    pub name: String,
    /// What its files contain.
    pub kind: Kind,
    /// Extensions, lower case, without the dot.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// Exact file names (`Makefile`).
    #[serde(default)]
    pub filenames: Vec<String>,
    /// The registered grammar that finds its symbols, if any.
    pub grammar: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Registry {
    language: Vec<Language>,
}

/// The registry source, embedded so the binary stands alone.
pub const LANGUAGES_TOML: &str = include_str!("../../grammars/languages.toml");

struct Index {
    languages: Vec<Language>,
    by_extension: HashMap<String, usize>,
    by_filename: HashMap<String, usize>,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let registry: Registry =
        toml::from_str(LANGUAGES_TOML).expect("grammars/languages.toml is checked by a test");
    let mut by_extension = HashMap::new();
    let mut by_filename = HashMap::new();
    for (index, language) in registry.language.iter().enumerate() {
        for extension in &language.extensions {
            by_extension.insert(extension.clone(), index);
        }
        for filename in &language.filenames {
            by_filename.insert(filename.clone(), index);
        }
    }
    Index {
        languages: registry.language,
        by_extension,
        by_filename,
    }
});

/// Every registered language, in registry order.
pub fn all() -> &'static [Language] {
    &INDEX.languages
}

/// The language of a file, from its exact name first, then its extension.
pub fn detect(path: &Path) -> Option<&'static Language> {
    let index = &*INDEX;
    let name = path.file_name()?.to_str()?;
    if let Some(&i) = index.by_filename.get(name) {
        return Some(&index.languages[i]);
    }
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    index
        .by_extension
        .get(&extension)
        .map(|&i| &index.languages[i])
}

#[cfg(test)]
mod tests {
    use super::SymbolKind;

    /// Stored indexes name a kind by its place in `ALL`: every kind must
    /// be there once (the match fails to compile when a kind is added).
    #[test]
    fn every_symbol_kind_is_listed_once() {
        for (i, kind) in SymbolKind::ALL.iter().enumerate() {
            let place = match kind {
                SymbolKind::Function => 0,
                SymbolKind::Method => 1,
                SymbolKind::Class => 2,
                SymbolKind::Struct => 3,
                SymbolKind::Enum => 4,
                SymbolKind::Union => 5,
                SymbolKind::Interface => 6,
                SymbolKind::Trait => 7,
                SymbolKind::Impl => 8,
                SymbolKind::Macro => 9,
                SymbolKind::Module => 10,
                SymbolKind::Namespace => 11,
                SymbolKind::Type => 12,
                SymbolKind::Section => 13,
            };
            assert_eq!(place, i, "{kind}");
        }
    }

    use super::*;
    use std::collections::HashSet;

    #[test]
    fn registry_parses_and_claims_no_extension_or_name_twice() {
        let registry: Registry = toml::from_str(LANGUAGES_TOML).expect("valid registry");
        let mut extensions = HashSet::new();
        let mut filenames = HashSet::new();
        let mut names = HashSet::new();
        for language in &registry.language {
            assert!(names.insert(&language.name), "{} twice", language.name);
            for e in &language.extensions {
                assert_eq!(e, &e.to_ascii_lowercase(), "{e} must be lower case");
                assert!(!e.starts_with('.'), "{e} must not start with a dot");
                assert!(extensions.insert(e), "extension {e} claimed twice");
            }
            for f in &language.filenames {
                assert!(filenames.insert(f), "file name {f} claimed twice");
            }
        }
    }

    #[test]
    fn detects_by_name_then_extension() {
        let name = |p: &str| detect(Path::new(p)).map(|l| l.name.as_str());
        assert_eq!(name("src/main.rs"), Some("rust"));
        assert_eq!(name("A/B.PY"), Some("python"));
        assert_eq!(name("Makefile"), Some("makefile"));
        assert_eq!(name("x/CMakeLists.txt"), Some("cmake"));
        assert_eq!(name("notes.txt"), Some("text"));
        assert_eq!(name("LICENSE"), None);
    }
}
