//! The grammar registry: one line per tree-sitter grammar crate, and the
//! node-kind tables of `grammars/<name>/symbols.toml` compiled against it
//! once per process. Knows node kinds, not files or spans.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use tree_sitter::Language;

use super::SymbolKind;

/// Every symbol table, embedded. A table can serve several grammars.
pub const TABLES: &[(&str, &str)] = &[
    ("bash", include_str!("../../grammars/bash/symbols.toml")),
    ("c", include_str!("../../grammars/c/symbols.toml")),
    ("cpp", include_str!("../../grammars/cpp/symbols.toml")),
    ("csharp", include_str!("../../grammars/csharp/symbols.toml")),
    ("go", include_str!("../../grammars/go/symbols.toml")),
    ("java", include_str!("../../grammars/java/symbols.toml")),
    (
        "javascript",
        include_str!("../../grammars/javascript/symbols.toml"),
    ),
    ("php", include_str!("../../grammars/php/symbols.toml")),
    ("python", include_str!("../../grammars/python/symbols.toml")),
    ("ruby", include_str!("../../grammars/ruby/symbols.toml")),
    ("rust", include_str!("../../grammars/rust/symbols.toml")),
    (
        "typescript",
        include_str!("../../grammars/typescript/symbols.toml"),
    ),
];

/// A grammar compiled into this build: its name, the table it uses and
/// the function that hands out its tree-sitter language.
#[derive(Clone, Copy)]
pub struct Registration {
    /// The name `languages.toml` refers to.
    pub name: &'static str,
    /// The `TABLES` entry that finds its symbols.
    pub table: &'static str,
    /// The grammar itself.
    pub language: fn() -> Language,
}

/// The grammars in this build: one registration line per grammar crate.
pub const GRAMMARS: &[Registration] = &[
    #[cfg(feature = "lang-bash")]
    Registration {
        name: "bash",
        table: "bash",
        language: || tree_sitter_bash::LANGUAGE.into(),
    },
    #[cfg(feature = "lang-c")]
    Registration {
        name: "c",
        table: "c",
        language: || tree_sitter_c::LANGUAGE.into(),
    },
    #[cfg(feature = "lang-cpp")]
    Registration {
        name: "cpp",
        table: "cpp",
        language: || tree_sitter_cpp::LANGUAGE.into(),
    },
    #[cfg(feature = "lang-csharp")]
    Registration {
        name: "csharp",
        table: "csharp",
        language: || tree_sitter_c_sharp::LANGUAGE.into(),
    },
    #[cfg(feature = "lang-go")]
    Registration {
        name: "go",
        table: "go",
        language: || tree_sitter_go::LANGUAGE.into(),
    },
    #[cfg(feature = "lang-java")]
    Registration {
        name: "java",
        table: "java",
        language: || tree_sitter_java::LANGUAGE.into(),
    },
    #[cfg(feature = "lang-javascript")]
    Registration {
        name: "javascript",
        table: "javascript",
        language: || tree_sitter_javascript::LANGUAGE.into(),
    },
    #[cfg(feature = "lang-php")]
    Registration {
        name: "php",
        table: "php",
        language: || tree_sitter_php::LANGUAGE_PHP.into(),
    },
    #[cfg(feature = "lang-python")]
    Registration {
        name: "python",
        table: "python",
        language: || tree_sitter_python::LANGUAGE.into(),
    },
    #[cfg(feature = "lang-ruby")]
    Registration {
        name: "ruby",
        table: "ruby",
        language: || tree_sitter_ruby::LANGUAGE.into(),
    },
    #[cfg(feature = "lang-rust")]
    Registration {
        name: "rust",
        table: "rust",
        language: || tree_sitter_rust::LANGUAGE.into(),
    },
    #[cfg(feature = "lang-typescript")]
    Registration {
        name: "typescript",
        table: "typescript",
        language: || tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
    },
    #[cfg(feature = "lang-typescript")]
    Registration {
        name: "tsx",
        table: "typescript",
        language: || tree_sitter_typescript::LANGUAGE_TSX.into(),
    },
];

/// A symbol table as written in `symbols.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Another table to start from.
    pub extends: Option<String>,
    /// Node kinds of the extended table this grammar does not have.
    #[serde(default)]
    pub omit: Vec<String>,
    /// Joins qualified names.
    pub separator: Option<String>,
    /// Walked through; a definition inside starts at the wrapper.
    #[serde(default)]
    pub wrappers: Vec<String>,
    /// Walked through without touching spans.
    #[serde(default)]
    pub descend: Vec<String>,
    /// Walked through; the functions directly inside join the enclosing
    /// name with another separator (Ruby's `class << self`).
    #[serde(default)]
    pub member_scope: Vec<MemberScope>,
    /// Preceding siblings that belong to the next definition (`kind` or `kind:prefix`).
    #[serde(default)]
    pub attached: Vec<String>,
    /// Kinds a symbol never ends on.
    #[serde(default)]
    pub comments: Vec<String>,
    /// The definitions.
    #[serde(default)]
    pub definition: Vec<Definition>,
}

/// One definition rule (see `grammars/README.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    /// The node kind.
    pub node: String,
    /// The symbol kind.
    pub kind: SymbolKind,
    /// The kind inside a container whose members are methods.
    pub member_kind: Option<SymbolKind>,
    /// The field holding the name.
    #[serde(default = "default_name")]
    pub name: String,
    /// `field` or `declarator`.
    #[serde(default)]
    pub name_mode: NameMode,
    /// Only a definition when the name field's node is one of these
    /// kinds (any kind when empty).
    #[serde(default)]
    pub name_kinds: Vec<String>,
    /// The field holding members.
    pub body: Option<String>,
    /// Functions inside take `member_kind`.
    #[serde(default)]
    pub members_are_methods: bool,
    /// Joins this symbol to its container.
    pub separator: Option<String>,
    /// Only a definition with this field present.
    pub require_field: Option<String>,
    /// Only a definition when this field holds one of `value_kinds`.
    pub value_field: Option<String>,
    /// See `value_field`.
    #[serde(default)]
    pub value_kinds: Vec<String>,
    /// The kind comes from this field's node kind through `kind_map`.
    pub kind_field: Option<String>,
    /// See `kind_field`.
    #[serde(default)]
    pub kind_map: HashMap<String, SymbolKind>,
    /// Go: the receiver's type qualifies the method.
    pub receiver: Option<String>,
    /// Rust: the implemented trait names the impl.
    pub trait_field: Option<String>,
    /// Without a body, qualifies the siblings after it.
    #[serde(default)]
    pub scopes_following: bool,
}

/// A block whose functions belong to the enclosing type in another way
/// (see `grammars/README.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberScope {
    /// The node kind.
    pub node: String,
    /// The field holding its statements (else its children are walked).
    pub body: Option<String>,
    /// Joins the functions inside to the enclosing name.
    pub separator: String,
}

fn default_name() -> String {
    "name".to_string()
}

/// How a definition's name is found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NameMode {
    /// The text of the `name` field.
    #[default]
    Field,
    /// Follow `declarator` fields down to the identifier (C, C++).
    Declarator,
}

/// Parses table `name`, with the tables it extends merged in first.
pub fn table(name: &str) -> Result<Table, String> {
    let text = TABLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| format!("no symbol table named {name}"))?;
    let own: Table =
        toml::from_str(text).map_err(|e| format!("grammars/{name}/symbols.toml: {e}"))?;
    let Some(base) = &own.extends else {
        return Ok(own);
    };
    let mut merged = table(base)?;
    if own.separator.is_some() {
        merged.separator = own.separator;
    }
    merged.wrappers.extend(own.wrappers);
    merged.descend.extend(own.descend);
    merged.member_scope.extend(own.member_scope);
    merged.attached.extend(own.attached);
    merged.comments.extend(own.comments);
    merged.definition.extend(own.definition);
    let omitted = |kind: &String| own.omit.contains(kind);
    merged.definition.retain(|d| !omitted(&d.node));
    merged.wrappers.retain(|k| !omitted(k));
    merged.descend.retain(|k| !omitted(k));
    merged.member_scope.retain(|m| !omitted(&m.node));
    merged.extends = None;
    Ok(merged)
}

/// A definition rule with its names resolved to grammar ids.
#[derive(Debug)]
pub struct CompiledDefinition {
    /// The rule as written.
    pub rule: Definition,
    /// Field ids, when the rule names them.
    pub name: Option<u16>,
    /// See [`Definition::body`].
    pub body: Option<u16>,
    /// See [`Definition::require_field`].
    pub require: Option<u16>,
    /// See [`Definition::value_field`].
    pub value: Option<u16>,
    /// See [`Definition::kind_field`].
    pub kind_field: Option<u16>,
    /// See [`Definition::receiver`].
    pub receiver: Option<u16>,
    /// See [`Definition::trait_field`].
    pub trait_field: Option<u16>,
}

/// What a node kind means to the symbol walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Nothing: not walked into.
    None,
    /// A definition (index into `definitions`).
    Definition(usize),
    /// Walked through; a definition inside starts at this node.
    Wrapper,
    /// Walked through.
    Descend,
    /// Walked through, its functions joined another way (index into
    /// `member_scopes`).
    MemberScope(usize),
}

/// A grammar ready to find symbols: node kinds resolved to roles.
pub struct Grammar {
    /// The registered name.
    pub name: &'static str,
    /// The tree-sitter language.
    pub language: Language,
    /// The default separator of qualified names.
    pub separator: String,
    /// Role of each node kind id.
    pub roles: Vec<Role>,
    /// Whether a kind id is a comment.
    pub comments: Vec<bool>,
    /// Attached sibling kinds: kind id -> required text prefix.
    pub attached: Vec<Option<Vec<String>>>,
    /// The definition rules.
    pub definitions: Vec<CompiledDefinition>,
    /// Member scopes: the body field and the separator of each.
    pub member_scopes: Vec<(Option<u16>, String)>,
    /// The `declarator` field, for declarator names.
    pub declarator_field: Option<u16>,
}

impl std::fmt::Debug for Grammar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grammar").field("name", &self.name).finish()
    }
}

/// Compiles a table against a language, checking every kind and field it
/// names exists (an unknown name is an error naming it).
pub fn compile(registration: &Registration) -> Result<Grammar, String> {
    let language = (registration.language)();
    let table = table(registration.table)?;
    let where_ = format!(
        "grammars/{}/symbols.toml for {}",
        registration.table, registration.name
    );
    let count = language.node_kind_count();
    let ids_of = |kind: &str| -> Vec<usize> {
        (0..count as u16)
            .filter(|&id| {
                language.node_kind_is_named(id) && language.node_kind_for_id(id) == Some(kind)
            })
            .map(usize::from)
            .collect()
    };
    let need_ids = |kind: &str| -> Result<Vec<usize>, String> {
        let ids = ids_of(kind);
        if ids.is_empty() {
            Err(format!("{where_}: no node kind {kind:?} in the grammar"))
        } else {
            Ok(ids)
        }
    };
    let field = |name: &Option<String>| -> Result<Option<u16>, String> {
        match name {
            None => Ok(None),
            Some(n) => language
                .field_id_for_name(n)
                .map(|id| Some(id.get()))
                .ok_or_else(|| format!("{where_}: no field {n:?} in the grammar")),
        }
    };
    let mut roles = vec![Role::None; count];
    let mut comments = vec![false; count];
    let mut attached = vec![None; count];
    for kind in &table.wrappers {
        for id in need_ids(kind)? {
            roles[id] = Role::Wrapper;
        }
    }
    for kind in &table.descend {
        for id in need_ids(kind)? {
            roles[id] = Role::Descend;
        }
    }
    let mut member_scopes = Vec::new();
    for scope in &table.member_scope {
        for id in need_ids(&scope.node)? {
            roles[id] = Role::MemberScope(member_scopes.len());
        }
        member_scopes.push((field(&scope.body)?, scope.separator.clone()));
    }
    for kind in &table.comments {
        for id in need_ids(kind)? {
            comments[id] = true;
        }
    }
    for spec in &table.attached {
        let (kind, prefix) = spec.split_once(':').unwrap_or((spec.as_str(), ""));
        for id in need_ids(kind)? {
            attached[id]
                .get_or_insert_with(Vec::new)
                .push(prefix.to_string());
        }
    }
    let mut definitions = Vec::new();
    for rule in &table.definition {
        for id in need_ids(&rule.node)? {
            roles[id] = Role::Definition(definitions.len());
        }
        for kind in rule.value_kinds.iter().chain(&rule.name_kinds) {
            need_ids(kind)?;
        }
        for kind in rule.kind_map.keys() {
            need_ids(kind)?;
        }
        definitions.push(CompiledDefinition {
            name: field(&Some(rule.name.clone()))?,
            body: field(&rule.body)?,
            require: field(&rule.require_field)?,
            value: field(&rule.value_field)?,
            kind_field: field(&rule.kind_field)?,
            receiver: field(&rule.receiver)?,
            trait_field: field(&rule.trait_field)?,
            rule: rule.clone(),
        });
    }
    Ok(Grammar {
        name: registration.name,
        declarator_field: language.field_id_for_name("declarator").map(|f| f.get()),
        language,
        separator: table.separator.unwrap_or_else(|| ".".to_string()),
        roles,
        comments,
        attached,
        definitions,
        member_scopes,
    })
}

static COMPILED: LazyLock<HashMap<&'static str, Result<Grammar, String>>> = LazyLock::new(|| {
    GRAMMARS
        .iter()
        .map(|registration| (registration.name, compile(registration)))
        .collect()
});

/// The compiled grammar registered as `name`, built once per process;
/// `None` when this build does not carry it, an error when its table does
/// not fit the grammar (a bug the registry tests catch).
pub fn get(name: &str) -> Option<Result<&'static Grammar, &'static str>> {
    COMPILED
        .get(name)
        .map(|compiled| compiled.as_ref().map_err(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_compiles_against_its_grammar() {
        for registration in GRAMMARS {
            if let Err(error) = compile(registration) {
                panic!("{error}");
            }
        }
        assert!(GRAMMARS.len() >= 13, "all grammars are on by default");
    }

    #[test]
    fn every_grammars_folder_has_a_table_and_every_table_a_folder() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("grammars");
        let mut folders: Vec<String> = std::fs::read_dir(&root)
            .expect("grammars/")
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        folders.sort();
        let tables: Vec<&str> = TABLES.iter().map(|(n, _)| *n).collect();
        assert_eq!(folders, tables);
        for registration in GRAMMARS {
            assert!(
                tables.contains(&registration.table),
                "{}",
                registration.name
            );
        }
    }

    #[test]
    fn every_grammar_named_by_a_language_is_registered() {
        for language in crate::lang::all() {
            if let Some(grammar) = &language.grammar {
                assert!(
                    GRAMMARS.iter().any(|r| r.name == grammar),
                    "{} names unregistered grammar {grammar}",
                    language.name
                );
            }
        }
    }

    #[test]
    fn a_misspelt_kind_is_an_error_naming_it() {
        let bad = Registration {
            name: "rust",
            table: "rust",
            language: GRAMMARS[0].language,
        };
        // The bash grammar has no `impl_item`: compiling the Rust table against it fails.
        let error = compile(&bad).map(|_| ()).expect_err("kinds are checked");
        assert!(error.contains("no node kind"), "{error}");
    }
}
