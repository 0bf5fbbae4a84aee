//! What a project says about itself: its description (package manifest,
//! else the README's first paragraph) and the commands that build, test,
//! lint and run it (Cargo.toml, package.json scripts, pyproject.toml,
//! tox.ini, Makefile, justfile, go.mod, ...). Pure: the caller reads the
//! files at the project root and passes their text.

use std::collections::BTreeSet;

mod manifests;
mod readme;
mod runners;

use manifests::{cargo, composer, deno, ini_value, package_json, pyproject};
use readme::one_paragraph;
pub(crate) use readme::readme_description;
use runners::{just_recipes, make_targets, tox, tox_envs};

/// Files at the project root this module reads, when present.
pub(crate) const MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "package.json",
    "pyproject.toml",
    "setup.cfg",
    "tox.ini",
    "Makefile",
    "makefile",
    "GNUmakefile",
    "justfile",
    "Justfile",
    ".justfile",
    "go.mod",
    "CMakeLists.txt",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "Gemfile",
    "composer.json",
    "deno.json",
    ".pre-commit-config.yaml",
];

/// README names, in the order they are preferred.
pub(crate) const READMES: &[&str] = &[
    "README.md",
    "README.markdown",
    "README.rst",
    "README.txt",
    "README",
    "readme.md",
    "Readme.md",
];

/// What a command is for, in the order they are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Purpose {
    /// Run the tests.
    Test,
    /// Build the project.
    Build,
    /// Lint or type-check.
    Lint,
    /// Format the code.
    Format,
    /// Run the program or a development server.
    Run,
    /// Everything else a task runner offers that is worth knowing.
    Other,
}

impl Purpose {
    /// The label shown before the command.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Purpose::Test => "test",
            Purpose::Build => "build",
            Purpose::Lint => "lint",
            Purpose::Format => "format",
            Purpose::Run => "run",
            Purpose::Other => "other",
        }
    }

    /// The purpose a task or script name suggests, if any. A name that
    /// releases, publishes, deploys, tags or installs system-wide has none:
    /// such a command is never presented as build, test or run.
    fn of_name(name: &str) -> Option<Purpose> {
        let name = name.to_ascii_lowercase();
        // `install` alone installs the program system-wide; `install-deps`
        // installs what the project needs.
        if name
            .split([':', '-', '_', '.'])
            .any(|part| UNSAFE_WORDS.contains(&part))
            || name == "install"
            || name == "uninstall"
        {
            return None;
        }
        let base = name.split([':', '-', '_', '.']).next().unwrap_or(&name);
        Some(match base {
            "test" | "tests" | "check" | "ci" | "coverage" | "cov" | "e2e" | "spec" => {
                Purpose::Test
            }
            "build" | "all" | "compile" | "dist" | "bundle" => Purpose::Build,
            "lint" | "clippy" | "typecheck" | "types" | "typing" | "mypy" | "vet" | "tsc"
            | "style" | "flake8" | "pylint" | "ruff" | "eslint" => Purpose::Lint,
            "fmt" | "format" | "prettier" | "black" => Purpose::Format,
            "run" | "start" | "dev" | "serve" | "server" | "watch" => Purpose::Run,
            "docs" | "doc" | "bench" | "install" | "setup" | "migrate" | "generate" | "gen" => {
                Purpose::Other
            }
            _ => return None,
        })
    }
}

/// Words in a task name that mark a command a session must not run on its
/// own: it publishes, releases, deploys, tags, uploads or installs.
const UNSAFE_WORDS: &[&str] = &[
    "release",
    "releases",
    "publish",
    "deploy",
    "upload",
    "tag",
    "bump",
    "version",
    "prepublish",
    "prepublishonly",
    "postpublish",
    "preversion",
    "postversion",
    "push",
    "sign",
];

/// Tools and commands in a script body that publish, release or need
/// credentials: the script is left out whatever its name.
const UNSAFE_COMMANDS: &[&str] = &[
    "np ",
    "np\t",
    "npm publish",
    "yarn publish",
    "pnpm publish",
    "semantic-release",
    "release-it",
    "goreleaser",
    "install -m",
    "/usr/local/",
    "cargo publish",
    "cargo release",
    "twine upload",
    "poetry publish",
    "gh release",
    "git push",
    "git tag",
    "sudo ",
    "make install",
    "changeset publish",
    "lerna publish",
    "vsce publish",
];

/// Whether a script body runs something that must not run unasked.
fn is_unsafe_body(body: &str) -> bool {
    let body = format!("{} ", body.trim());
    UNSAFE_COMMANDS.iter().any(|c| body.contains(c)) || body.trim() == "np"
}

/// One command a session can run, and where it was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Command {
    /// What it is for.
    pub(crate) purpose: Purpose,
    /// The command line.
    pub(crate) line: String,
    /// The file that declares it (`Makefile`), or that it was inferred from.
    pub(crate) source: &'static str,
    /// Declared by the project (a script, a target) rather than inferred
    /// from the toolchain's conventions.
    pub(crate) declared: bool,
}

/// What the root's files say about the project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct About {
    /// The package name, when a manifest gives one.
    pub(crate) name: Option<String>,
    /// One or two sentences on what it is.
    pub(crate) description: Option<String>,
    /// Commands, declared ones first within each purpose.
    pub(crate) commands: Vec<Command>,
}

/// The root's files a caller found: (file name, text).
pub(crate) struct RootFiles<'a> {
    /// Manifests and READMEs with their text.
    pub(crate) texts: Vec<(&'a str, &'a str)>,
    /// Every file name present at the root (lock files, `gradlew`, ...),
    /// and `src/main.rs` when it exists.
    pub(crate) names: BTreeSet<&'a str>,
    /// Directories present at the root.
    pub(crate) dirs: BTreeSet<&'a str>,
    /// The project's main language by share of tokens (`python`), when
    /// known: its toolchain's commands come first within each purpose.
    pub(crate) language: Option<&'a str>,
}

impl RootFiles<'_> {
    fn text(&self, name: &str) -> Option<&str> {
        self.texts.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    }

    fn has(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}

/// Reads what the project says about itself.
pub(crate) fn about(root: &RootFiles<'_>) -> About {
    let mut about = About::default();
    let mut commands = Vec::new();
    if let Some(text) = root.text("Cargo.toml") {
        cargo(text, root, &mut about, &mut commands);
    }
    if let Some(text) = root.text("package.json") {
        package_json(text, root, &mut about, &mut commands);
    }
    if let Some(text) = root.text("deno.json") {
        deno(text, &mut commands);
    }
    if let Some(text) = root.text("pyproject.toml") {
        pyproject(text, root, &mut about, &mut commands);
    }
    if let Some(text) = root.text("setup.cfg") {
        if about.description.is_none() {
            about.description = ini_value(text, "metadata", "description");
        }
        if about.name.is_none() {
            about.name = ini_value(text, "metadata", "name");
        }
    }
    if let Some(text) = root.text("tox.ini") {
        tox(text, &mut commands);
    }
    for name in ["Makefile", "makefile", "GNUmakefile"] {
        if let Some(text) = root.text(name) {
            for target in make_targets(text) {
                push_task(&mut commands, &target, format!("make {target}"), "Makefile");
            }
            break;
        }
    }
    for name in ["justfile", "Justfile", ".justfile"] {
        if let Some(text) = root.text(name) {
            for recipe in just_recipes(text) {
                push_task(&mut commands, &recipe, format!("just {recipe}"), "justfile");
            }
            break;
        }
    }
    if root.text("go.mod").is_some() {
        infer(&mut commands, Purpose::Build, "go build ./...", "go.mod");
        infer(&mut commands, Purpose::Test, "go test ./...", "go.mod");
        infer(&mut commands, Purpose::Lint, "go vet ./...", "go.mod");
    }
    if root.text("CMakeLists.txt").is_some() {
        infer(
            &mut commands,
            Purpose::Build,
            "cmake -B build && cmake --build build",
            "CMakeLists.txt",
        );
        infer(
            &mut commands,
            Purpose::Test,
            "ctest --test-dir build",
            "CMakeLists.txt",
        );
    }
    if root.text("pom.xml").is_some() {
        let mvn = if root.has("mvnw") { "./mvnw" } else { "mvn" };
        infer(
            &mut commands,
            Purpose::Build,
            &format!("{mvn} package"),
            "pom.xml",
        );
        infer(
            &mut commands,
            Purpose::Test,
            &format!("{mvn} test"),
            "pom.xml",
        );
    }
    for name in ["build.gradle", "build.gradle.kts"] {
        if root.text(name).is_some() {
            let gradle = if root.has("gradlew") {
                "./gradlew"
            } else {
                "gradle"
            };
            infer(
                &mut commands,
                Purpose::Build,
                &format!("{gradle} build"),
                "build.gradle",
            );
            infer(
                &mut commands,
                Purpose::Test,
                &format!("{gradle} test"),
                "build.gradle",
            );
        }
    }
    if root.text("Gemfile").is_some() {
        if root.dirs.contains("spec") {
            infer(&mut commands, Purpose::Test, "bundle exec rspec", "Gemfile");
        } else if root.has("Rakefile") {
            infer(
                &mut commands,
                Purpose::Test,
                "bundle exec rake test",
                "Gemfile",
            );
        }
    }
    if let Some(text) = root.text("composer.json") {
        composer(text, &mut commands);
    }
    if root.text(".pre-commit-config.yaml").is_some() {
        infer(
            &mut commands,
            Purpose::Lint,
            "pre-commit run --all-files",
            ".pre-commit-config.yaml",
        );
    }
    if about.description.is_none() {
        about.description = READMES
            .iter()
            .find_map(|name| root.text(name))
            .and_then(readme_description);
    }
    about.commands = settle(commands, root.language);
    about
}

/// The languages whose toolchain a manifest belongs to (none for task
/// runners such as make and just, which serve any language).
fn source_languages(source: &str) -> &'static [&'static str] {
    match source {
        "package.json" | "deno.json" => &["javascript", "typescript", "tsx"],
        "pyproject.toml" | "tox.ini" | "setup.cfg" => &["python"],
        "Cargo.toml" => &["rust"],
        "go.mod" => &["go"],
        "pom.xml" | "build.gradle" => &["java", "kotlin"],
        "Gemfile" => &["ruby"],
        "composer.json" => &["php"],
        "CMakeLists.txt" => &["c", "cpp"],
        _ => &[],
    }
}

/// Declared commands first within each purpose; an inferred command is
/// dropped when a declared one covers its purpose; each line once.
fn settle(mut commands: Vec<Command>, language: Option<&str>) -> Vec<Command> {
    // A helper toolchain's command (a Python project's `npm test`) comes
    // after the main language's and the task runners', and does not stand
    // in for them.
    let foreign = |c: &Command| {
        let languages = source_languages(c.source);
        language.is_some_and(|l| !languages.is_empty() && !languages.contains(&l))
    };
    let declared: BTreeSet<(Purpose, bool)> = commands
        .iter()
        .filter(|c| c.declared)
        .map(|c| (c.purpose, foreign(c)))
        .collect();
    commands.retain(|c| c.declared || !declared.contains(&(c.purpose, foreign(c))));
    // Stable: within a purpose, the order the files were read in.
    commands.sort_by_key(|c| (c.purpose, foreign(c), !c.declared));
    let mut seen = BTreeSet::new();
    commands.retain(|c| seen.insert(c.line.clone()));
    commands
}

fn infer(commands: &mut Vec<Command>, purpose: Purpose, line: &str, source: &'static str) {
    commands.push(Command {
        purpose,
        line: line.to_string(),
        source,
        declared: false,
    });
}

/// A task a runner declares, kept when its name says what it is for.
fn push_task(commands: &mut Vec<Command>, name: &str, line: String, source: &'static str) {
    if let Some(purpose) = Purpose::of_name(name) {
        commands.push(Command {
            purpose,
            line,
            source,
            declared: true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root<'a>(
        texts: &[(&'a str, &'a str)],
        names: &[&'a str],
        dirs: &[&'a str],
    ) -> RootFiles<'a> {
        let mut all: BTreeSet<&str> = names.iter().copied().collect();
        all.extend(texts.iter().map(|(n, _)| *n));
        RootFiles {
            texts: texts.to_vec(),
            names: all,
            dirs: dirs.iter().copied().collect(),
            language: None,
        }
    }

    fn lines(about: &About) -> Vec<(&'static str, &str)> {
        about
            .commands
            .iter()
            .map(|c| (c.purpose.label(), c.line.as_str()))
            .collect()
    }

    /// ripgrep: a root package with workspace members and no
    /// default-members; plain `cargo test` tests the root package alone.
    #[test]
    fn a_cargo_workspace_is_tested_whole() {
        let toml = "[package]\nname = \"rg\"\n[workspace]\nmembers = [\"crates/*\"]\n";
        let about = about(&root(&[("Cargo.toml", toml)], &["src/main.rs"], &[]));
        let found = lines(&about);
        assert!(
            found.contains(&("test", "cargo test --workspace")),
            "{found:?}"
        );
        assert!(
            found.contains(&("lint", "cargo clippy --workspace --all-targets")),
            "{found:?}"
        );
        assert!(found.contains(&("format", "cargo fmt --all")), "{found:?}");
        let with_defaults = format!("{toml}default-members = [\".\"]\n");
        let about = about_of(&[("Cargo.toml", &with_defaults)]);
        assert!(lines(&about).contains(&("test", "cargo test")));
    }

    fn about_of(texts: &[(&str, &str)]) -> About {
        about(&root(texts, &[], &[]))
    }

    /// ky `npm run release` (np), fzf `make release` (goreleaser), fd
    /// `make install`: never presented as build, test or run.
    #[test]
    fn releasing_publishing_and_installing_are_never_offered() {
        let package = r#"{"scripts": {"release": "np", "build": "del-cli distribution && tsc", "ship": "npm publish", "test": "xo && ava"}}"#;
        let make = "build:\n\tgo build\nrelease:\n\tgoreleaser release\ninstall:\n\tcp fd /usr/local/bin\ntest:\n\tgo test\ncompile:\n\tgoreleaser build --snapshot\ndist:\n\tcp x /usr/local/bin\n";
        let about = about_of(&[("package.json", package), ("Makefile", make)]);
        let all: Vec<&str> = about.commands.iter().map(|c| c.line.as_str()).collect();
        for bad in [
            "npm run release",
            "npm run ship",
            "make release",
            "make install",
            "make compile",
            "make dist",
        ] {
            assert!(!all.contains(&bad), "{all:?}");
        }
        assert!(
            all.contains(&"npm run build") && all.contains(&"make build"),
            "{all:?}"
        );
    }

    /// click: `mypy .` overrides `[tool.mypy] files` (1,435 errors instead
    /// of none); its `[tool.tox]` envs were ignored.
    #[test]
    fn python_tools_run_as_configured() {
        let mypy = "[project]\nname = \"click\"\n[tool.mypy]\nfiles = [\"src\"]\n";
        let alone = about(&root(&[("pyproject.toml", mypy)], &["uv.lock"], &["tests"]));
        assert!(
            lines(&alone).contains(&("lint", "uv run mypy")),
            "{:?}",
            lines(&alone)
        );
        let tox =
            format!("{mypy}[tool.tox]\nenv_list = [\"py3.13\", \"style\", \"typing\", \"docs\"]\n");
        let about = about(&root(&[("pyproject.toml", &tox)], &["uv.lock"], &["tests"]));
        let found = lines(&about);
        assert!(found.contains(&("test", "tox")), "{found:?}");
        assert!(found.contains(&("lint", "tox -e style")), "{found:?}");
        assert!(found.contains(&("lint", "tox -e typing")), "{found:?}");
    }

    /// Django's block listed `npm test` first for a 67%-Python project.
    #[test]
    fn the_main_language_comes_first() {
        let package = r#"{"scripts": {"test": "grunt test"}}"#;
        let tox = "[tox]\nenvlist = py3, flake8\n";
        let mut found = root(
            &[("package.json", package), ("tox.ini", tox)],
            &[],
            &["tests"],
        );
        found.language = Some("python");
        let about = about(&found);
        let tests: Vec<&str> = about
            .commands
            .iter()
            .filter(|c| c.purpose == Purpose::Test)
            .map(|c| c.line.as_str())
            .collect();
        assert_eq!(tests.first(), Some(&"tox"), "{tests:?}");
    }

    /// fzf's description came out as its merch banner.
    #[test]
    fn a_banner_is_no_description() {
        let readme = "<div align=\"center\">\n  <img src=\"logo.png\">\n  Show your love for fzf -- T-shirts, mugs, and stickers now available!\n</div>\n\n[![badge](x)](y)\n\nfzf is a general-purpose command-line fuzzy finder.\n";
        assert_eq!(
            readme_description(readme).as_deref(),
            Some("fzf is a general-purpose command-line fuzzy finder.")
        );
        assert_eq!(
            readme_description("Sponsor us on GitHub to keep this going!\n"),
            None
        );
    }

    #[test]
    fn cargo_packages_get_the_cargo_commands_and_their_description() {
        let toml = "[package]\nname = \"demo\"\ndescription = \"\"\"Counts   things\nfast.\"\"\"\n";
        let about = about(&root(&[("Cargo.toml", toml)], &["src/main.rs"], &["src"]));
        assert_eq!(about.name.as_deref(), Some("demo"));
        assert_eq!(about.description.as_deref(), Some("Counts things fast."));
        assert_eq!(
            lines(&about),
            [
                ("test", "cargo test"),
                ("build", "cargo build"),
                ("lint", "cargo clippy --all-targets"),
                ("format", "cargo fmt"),
                ("run", "cargo run --"),
            ]
        );
    }

    #[test]
    fn declared_tasks_replace_inferred_ones_of_the_same_purpose() {
        let make = "all: build\n.PHONY: test\ntest:\n\tcargo nextest run\nlint: ; x\n%.o: %.c\nVAR := 1\ninstall-deps:\n";
        let about = about(&root(
            &[("Cargo.toml", "[package]\nname='x'\n"), ("Makefile", make)],
            &[],
            &[],
        ));
        assert_eq!(
            lines(&about),
            [
                ("test", "make test"),
                ("build", "make all"),
                ("lint", "make lint"),
                ("format", "cargo fmt"),
                ("other", "make install-deps"),
            ]
        );
    }

    #[test]
    fn package_json_scripts_use_the_package_manager_of_the_lock_file() {
        let json = r#"{"name":"web","description":"A site.","scripts":{"test":"vitest","build":"vite build","lint:css":"stylelint","deploy":"x","dev":"vite"}}"#;
        let npm = about(&root(&[("package.json", json)], &[], &[]));
        assert_eq!(
            lines(&npm),
            [
                ("test", "npm test"),
                ("build", "npm run build"),
                ("lint", "npm run lint:css"),
                ("run", "npm run dev"),
            ]
        );
        let pnpm = about(&root(&[("package.json", json)], &["pnpm-lock.yaml"], &[]));
        assert_eq!(pnpm.commands[0].line, "pnpm test");
        assert_eq!(pnpm.description.as_deref(), Some("A site."));
    }

    #[test]
    fn pyproject_tools_become_commands_run_through_the_locking_tool() {
        let toml = "[project]\nname = \"flask\"\ndescription = \"A simple framework.\"\n[project.scripts]\nflask = \"flask.cli:main\"\n[tool.ruff]\n[tool.mypy]\n";
        let about = about(&root(&[("pyproject.toml", toml)], &["uv.lock"], &["tests"]));
        assert_eq!(
            lines(&about),
            [
                ("test", "uv run pytest"),
                ("lint", "uv run ruff check ."),
                ("lint", "uv run mypy ."),
                ("format", "uv run ruff format ."),
                ("run", "uv run flask"),
            ]
        );
    }

    #[test]
    fn tox_envs_and_justfile_recipes_are_declared_commands() {
        let tox =
            "[tox]\nenvlist =\n    py3{10,11}\n    flake8, docs\n[testenv]\ncommands = pytest\n";
        let just =
            "set shell := [\"bash\"]\n# comment\n@test *args:\n  cargo test\n_private:\nfmt:\n";
        let about = about(&root(&[("tox.ini", tox), ("justfile", just)], &[], &[]));
        assert_eq!(
            lines(&about),
            [
                ("test", "tox"),
                ("test", "just test"),
                ("lint", "tox -e flake8"),
                ("format", "just fmt"),
                ("other", "tox -e docs"),
            ]
        );
    }

    #[test]
    fn readme_descriptions_skip_badges_headings_and_directives() {
        let md = "---\ntitle: x\n---\n# Flask\n\n[![PyPI](https://x/b.svg)](https://pypi)\n\nFlask is a lightweight [WSGI](https://wsgi.org) web\napplication framework.\n\nMore.\n";
        assert_eq!(
            readme_description(md).as_deref(),
            Some("Flask is a lightweight WSGI web application framework.")
        );
        let rst = "======\nDjango\n======\n\n.. image:: x.png\n   :alt: logo\n\nDjango is a high-level Python web framework that encourages rapid development.\n";
        assert_eq!(
            readme_description(rst).as_deref(),
            Some("Django is a high-level Python web framework that encourages rapid development.")
        );
        assert_eq!(readme_description("# Title\n\n![logo](x.png)\n"), None);
    }

    #[test]
    fn long_descriptions_stop_at_a_sentence() {
        let long = format!(
            "First sentence here is long enough to count. {}",
            "word ".repeat(100)
        );
        let cut = one_paragraph(&long);
        assert_eq!(cut, "First sentence here is long enough to count.");
    }
}
