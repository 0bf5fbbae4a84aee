//! `ctxbudget claude-md` on small fixture projects: what the block says,
//! the budget (checked with the reference tokenizer), bytes outside the
//! markers kept through regenerations, atomic writes keeping permissions,
//! `--stdout`, `--check` and its exit codes, unbalanced markers refused.

use crate::util::Repo;

const BEGIN: &str = "<!-- ctxbudget:begin -->";
const END: &str = "<!-- ctxbudget:end -->";

/// A small Python package with a manifest, a README, tests, a lock file
/// and one module the others use.
fn project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"shop\"\ndescription = \"Sells things online.\"\n[tool.ruff]\n",
    );
    repo.write(
        "README.md",
        "# Shop\n\nA longer story than the manifest's.\n",
    );
    repo.write("uv.lock", "version = 1\n".repeat(400));
    repo.write(
        "shop/cart.py",
        "class ShoppingCart:\n    \"\"\"Holds items.\"\"\"\n\n    def add_item(self, item):\n        self.items.append(item)\n\n\ndef cart_total(cart):\n    return sum(i.price for i in cart.items)\n",
    );
    for (i, name) in ["orders", "checkout", "views"].iter().enumerate() {
        repo.write(
            &format!("shop/{name}.py"),
            format!(
                "from shop.cart import ShoppingCart, cart_total\n\n\ndef use_{i}():\n    cart = ShoppingCart()\n    return cart_total(cart)\n"
            ),
        );
    }
    repo.write(
        "tests/test_cart.py",
        "from shop.cart import ShoppingCart\n\n\ndef test_add():\n    ShoppingCart().add_item(1)\n",
    );
    repo
}

fn claude_md(repo: &Repo, args: &[&str]) -> crate::util::Outcome {
    let mut all = vec!["claude-md", "-t", "cl100k"];
    all.extend_from_slice(args);
    repo.run(&all)
}

fn read(repo: &Repo, rel: &str) -> Vec<u8> {
    std::fs::read(repo.join(rel)).expect("file written")
}

fn block_of(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let start = text.find(BEGIN).expect("a begin marker");
    let end = text.find(END).expect("an end marker") + END.len();
    text[start..end].to_string()
}

#[test]
fn the_block_describes_the_project_from_its_files() {
    let repo = project();
    let outcome = claude_md(&repo, &["--stdout"]);
    outcome.expect_code(0);
    let block = outcome.stdout.trim_end();
    assert!(block.starts_with(BEGIN) && block.ends_with(END), "{block}");
    for expected in [
        "**shop**: Sells things online.",
        "- test: `uv run pytest`",
        "- lint: `uv run ruff check .`",
        "- `shop/` ",
        "- `tests/` ",
        "lock files (",
        "`uv.lock`",
        "- `ShoppingCart` class `@shop/cart.py#L1-5`",
        "- `cart_total` function `@shop/cart.py#L8-9`",
    ] {
        assert!(block.contains(expected), "missing {expected:?} in\n{block}");
    }
    // Test code is not offered as a symbol to read.
    assert!(!block.contains("test_add"), "{block}");
    // --stdout writes nothing.
    assert!(!repo.join("CLAUDE.md").exists());
    assert!(
        outcome.stderr.contains("nothing written"),
        "{}",
        outcome.stderr
    );
}

/// The block as Claude Code loads it, and as `check` and the budget count
/// it: lines that are HTML comments (the markers and the note) dropped.
fn loaded(block: &str) -> String {
    block
        .split_inclusive('\n')
        .filter(|line| {
            let line = line.trim();
            !(line.starts_with("<!--") && line.ends_with("-->"))
        })
        .collect()
}

#[test]
fn the_block_fits_every_budget_by_the_reference_tokenizer() {
    let repo = project();
    let bpe = tiktoken_rs::cl100k_base().expect("vocab");
    let full = claude_md(&repo, &["--stdout", "--budget", "5000"]);
    full.expect_code(0);
    let full_tokens = bpe.encode_ordinary(&loaded(full.stdout.trim_end())).len() as u64;
    for budget in [full_tokens, full_tokens - 1, 200, 120, 80] {
        let outcome = claude_md(&repo, &["--stdout", "--budget", &budget.to_string()]);
        outcome.expect_code(0);
        let block = outcome.stdout.trim_end();
        let tokens = bpe.encode_ordinary(&loaded(block)).len() as u64;
        assert!(tokens <= budget, "{tokens} > {budget}:\n{block}");
        assert!(block.starts_with(BEGIN) && block.ends_with(END));
        // The project line goes last of all.
        if block.lines().count() > 4 {
            assert!(block.contains("**shop**"), "{block}");
        }
    }
    // Lines are dropped, least valuable first: the symbols go before the
    // commands.
    let small = claude_md(&repo, &["--stdout", "--budget", "200"]);
    assert!(small.stdout.contains("uv run pytest"), "{}", small.stdout);
    assert!(!small.stdout.contains("cart_total"), "{}", small.stdout);
    assert!(small.stderr.contains("left out to fit"), "{}", small.stderr);
    // A budget below the frame is refused.
    let tiny = claude_md(&repo, &["--stdout", "--budget", "2"]);
    tiny.expect_code(2);
    assert!(tiny.stderr.contains("too small"), "{}", tiny.stderr);
}

#[test]
fn a_file_without_markers_gets_the_block_appended_and_keeps_every_byte() {
    let repo = project();
    let mine: &[u8] = b"# My rules\r\nUse tabs.\r\n\xff raw byte, no final newline";
    repo.write("CLAUDE.md", mine);
    claude_md(&repo, &[]).expect_code(0);
    let after = read(&repo, "CLAUDE.md");
    assert!(after.starts_with(mine));
    // The file's own line ends are used for the block.
    let block = block_of(&after);
    assert!(block.contains("\r\n") && !block.replace("\r\n", "").contains('\n'));
    // A second run changes nothing and says so.
    let again = claude_md(&repo, &[]);
    again.expect_code(0);
    assert!(again.stderr.contains("up to date"), "{}", again.stderr);
    assert_eq!(read(&repo, "CLAUDE.md"), after);
    claude_md(&repo, &["--check"]).expect_code(0);
}

#[test]
fn user_text_around_the_markers_survives_regenerations_byte_for_byte() {
    let repo = project();
    // Pseudo-random user text (fixed seeds): markdown, HTML comments,
    // marker look-alikes, CRLF, invalid UTF-8.
    let pieces: [&[u8]; 10] = [
        b"# Title\n",
        b"text ",
        b"\r\n",
        b"<!-- note -->\n",
        b"see `<!-- ctxbudget:begin -->`\n",
        b"```\ncode\n```\n",
        b"\xc3\x28",
        b"@docs/x.md\n",
        "\u{e9}t\u{e9}\n".as_bytes(),
        b"\n",
    ];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _ in 0..4 {
        let mut before = Vec::new();
        let mut after = b"\n".to_vec();
        for _ in 0..next(12) {
            before.extend_from_slice(pieces[next(pieces.len())]);
        }
        before.push(b'\n');
        for _ in 0..next(12) {
            after.extend_from_slice(pieces[next(pieces.len())]);
        }
        let mut file = before.clone();
        file.extend_from_slice(format!("{BEGIN}\nold generated text\n{END}").as_bytes());
        file.extend_from_slice(&after);
        repo.write("CLAUDE.md", &file);
        for budget in ["300", "1500", "200"] {
            claude_md(&repo, &["--budget", budget]).expect_code(0);
            let now = read(&repo, "CLAUDE.md");
            let text = String::from_utf8_lossy(&now).into_owned();
            let start = text.find(&format!("\n{BEGIN}")).map_or(0, |s| s + 1);
            // Lossy decoding may widen bytes; compare the raw prefix.
            assert!(now.starts_with(&before), "budget {budget}");
            assert!(now.ends_with(&after), "budget {budget}");
            assert!(start > 0 || before.len() <= 1);
        }
    }
}

#[test]
fn check_exits_1_when_the_block_is_stale_or_missing() {
    let repo = project();
    let missing = claude_md(&repo, &["--check"]);
    missing.expect_code(1);
    assert!(
        missing.stderr.contains("does not exist"),
        "{}",
        missing.stderr
    );
    repo.write("CLAUDE.md", "# Mine\n");
    let no_block = claude_md(&repo, &["--check"]);
    no_block.expect_code(1);
    assert!(
        no_block.stderr.contains("no ctxbudget block"),
        "{}",
        no_block.stderr
    );
    assert_eq!(
        read(&repo, "CLAUDE.md"),
        b"# Mine\n",
        "--check writes nothing"
    );

    claude_md(&repo, &[]).expect_code(0);
    claude_md(&repo, &["--check"]).expect_code(0);
    // The code changes: a new symbol the others use.
    repo.write(
        "shop/money.py",
        "def format_price(value):\n    return f\"{value:.2f}\"\n",
    );
    for name in ["orders", "checkout", "views"] {
        let path = format!("shop/{name}.py");
        let mut text = String::from_utf8(read(&repo, &path)).expect("utf-8");
        text.push_str("\nfrom shop.money import format_price\nformat_price(1)\n");
        repo.write(&path, text);
    }
    let stale = claude_md(&repo, &["--check"]);
    stale.expect_code(1);
    assert!(stale.stderr.contains("stale"), "{}", stale.stderr);
    claude_md(&repo, &[]).expect_code(0);
    claude_md(&repo, &["--check"]).expect_code(0);
    assert!(block_of(&read(&repo, "CLAUDE.md")).contains("format_price"));
}

#[test]
fn unbalanced_markers_are_refused_and_nothing_is_written() {
    let repo = project();
    let text = format!("# Mine\n{BEGIN}\nhalf a block\n");
    repo.write("CLAUDE.md", &text);
    let outcome = claude_md(&repo, &[]);
    outcome.expect_code(2);
    assert!(
        outcome.stderr.contains("line 2") && outcome.stderr.contains("unbalanced"),
        "{}",
        outcome.stderr
    );
    assert_eq!(read(&repo, "CLAUDE.md"), text.as_bytes());
    claude_md(&repo, &["--check"]).expect_code(2);
}

#[cfg(unix)]
#[test]
fn writes_keep_permissions_follow_symlinks_and_leave_no_temporary_files() {
    use std::os::unix::fs::PermissionsExt;
    let repo = project();
    repo.write("docs/memory.md", "# Shared\n");
    let target = repo.join("docs/memory.md");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::os::unix::fs::symlink("docs/memory.md", repo.join("CLAUDE.md")).expect("symlink");
    claude_md(&repo, &[]).expect_code(0);
    let link = std::fs::symlink_metadata(repo.join("CLAUDE.md")).expect("link");
    assert!(link.file_type().is_symlink(), "the link stays a link");
    let mode = std::fs::metadata(&target)
        .expect("target")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    assert!(read(&repo, "docs/memory.md").starts_with(b"# Shared\n\n<!-- ctxbudget:begin -->"));
    let leftovers: Vec<_> = std::fs::read_dir(repo.join("docs"))
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_block_is_the_same_whatever_the_memory_files_say() {
    let repo = project();
    claude_md(&repo, &[]).expect_code(0);
    let first = block_of(&read(&repo, "CLAUDE.md"));
    // Memory files elsewhere do not count either.
    repo.write(".claude/rules/style.md", "# Style\n".repeat(500));
    repo.write("shop/CLAUDE.md", "# Shop notes\n".repeat(500));
    claude_md(&repo, &["--check"]).expect_code(0);
    // --file names another memory file; its block is the same.
    claude_md(&repo, &["--file", "CLAUDE.local.md"]).expect_code(0);
    assert_eq!(block_of(&read(&repo, "CLAUDE.local.md")), first);
}

#[test]
fn budget_and_file_come_from_the_config() {
    let repo = project();
    repo.write(
        "ctxbudget.toml",
        "[claude_md]\nbudget = 150\nfile = \"docs/AGENTS.md\"\n",
    );
    claude_md(&repo, &[]).expect_code(0);
    let block = block_of(&read(&repo, "docs/AGENTS.md"));
    let bpe = tiktoken_rs::cl100k_base().expect("vocab");
    assert!(bpe.encode_ordinary(&loaded(&block)).len() <= 150, "{block}");
    repo.write("ctxbudget.toml", "[claude_md]\nbudgit = 1\n");
    let bad = claude_md(&repo, &[]);
    bad.expect_code(2);
    assert!(bad.stderr.contains("budgit"), "{}", bad.stderr);
}

/// claude-md counted the block's HTML comments, which Claude Code strips
/// and `check` counts as free: the two commands disagreed on one file.
#[test]
fn claude_md_and_check_count_the_same_tokens() {
    let repo = project();
    let out = claude_md(&repo, &["--budget", "300"]);
    out.expect_code(0);
    let said: u64 = out
        .stderr
        .split('(')
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no count in {}", out.stderr));
    let check = repo.run(&["check", "-t", "cl100k", "--format", "json"]);
    let json = check.json();
    assert_eq!(json["files"][0]["path"], "CLAUDE.md", "{json}");
    assert_eq!(json["files"][0]["tokens"], said, "{json}\n{}", out.stderr);
    let missing = repo.run(&["check", "-C", "/no/such/dir"]);
    missing.expect_code(2);
    assert!(
        missing.stderr.contains("cannot check"),
        "{}",
        missing.stderr
    );
}

#[test]
fn most_used_symbols_leave_out_standard_names_and_marker_types() {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"finder\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.write(
        "src/flags.rs",
        "/// The -f flag.\n#[derive(Debug)]\npub struct File;\n\n/// The --color flag.\npub struct Color;\n\n/// Searches one file at a time.\npub struct SearchWorker {\n    pub paths: Vec<std::path::PathBuf>,\n    pub matches: usize,\n    pub max_count: Option<u64>,\n    pub binary: bool,\n}\n\nimpl SearchWorker {\n    /// A worker over `paths`, counting matches up to `max_count`.\n    pub fn new(paths: Vec<std::path::PathBuf>, max_count: Option<u64>) -> SearchWorker {\n        SearchWorker { paths, matches: 0, max_count, binary: false }\n    }\n}\n",
    );
    for i in 0..4 {
        repo.write(
            &format!("src/m{i}.rs"),
            format!(
                "use std::fs::File;\nuse crate::flags::{{Color, SearchWorker}};\n\npub fn run_{i}(w: &SearchWorker) -> std::io::Result<File> {{\n    let _c = Color;\n    File::open(&w.paths[0])\n}}\n"
            ),
        );
    }
    repo.write(
        "src/lib.rs",
        "mod flags;\nmod m0;\nmod m1;\nmod m2;\nmod m3;\n",
    );
    let outcome = claude_md(&repo, &["--stdout"]);
    outcome.expect_code(0);
    let block = outcome.stdout;
    // Its impl, larger and of another kind, does not hide the struct.
    assert!(
        block.contains("- `SearchWorker` struct `@src/flags.rs#L8-14`"),
        "{block}"
    );
    assert!(!block.contains("`File`"), "a std name: {block}");
    assert!(!block.contains("`Color`"), "a marker type: {block}");
}

#[test]
fn parts_to_read_are_definitions_not_their_overload_stubs() {
    let repo = Repo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"asker\"\ndescription = \"Asks things.\"\n",
    );
    let params = (0..12)
        .map(|i| format!("    option_number_{i}: t.Optional[str] = None,\n"))
        .collect::<String>();
    let mut text = String::from("import typing as t\n\n");
    for kind in ["str", "int"] {
        text.push_str(&format!(
            "@t.overload\ndef prompt(\n    text: str,\n    default: {kind},\n{params}) -> {kind}: ...\n\n\n"
        ));
    }
    text.push_str(&format!(
        "def prompt(\n    text: str,\n    default: t.Any = None,\n{params}) -> t.Any:\n    \"\"\"Prompts the user for input.\"\"\"\n"
    ));
    for i in 0..40 {
        text.push_str(&format!(
            "    if option_number_{} is not None:\n        text = text + str(option_number_{})\n",
            i % 12,
            i % 12
        ));
    }
    text.push_str("    return input(text)\n\n\n");
    for i in 0..400 {
        text.push_str(&format!(
            "def helper_{i}(value):\n    \"\"\"Helper number {i} turns a value into another value.\"\"\"\n    return [value, {i}, str(value) * {i}]\n\n\n"
        ));
    }
    repo.write("asker/termui.py", &text);
    for i in 0..3 {
        repo.write(
            &format!("asker/use_{i}.py"),
            "from asker.termui import prompt\n\nprompt('name?')\n",
        );
    }
    let outcome = claude_md(&repo, &["--stdout"]);
    outcome.expect_code(0);
    let line = outcome
        .stdout
        .lines()
        .find(|l| l.starts_with("- `asker/termui.py`"))
        .unwrap_or_else(|| panic!("no line for the large file:\n{}", outcome.stdout))
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    let definition = lines
        .iter()
        .rposition(|l| l.starts_with("def prompt("))
        .expect("the definition")
        + 1;
    assert!(
        line.contains(&format!("`prompt` `@asker/termui.py#L{definition}-")),
        "{line}"
    );
    assert_eq!(line.matches("`prompt`").count(), 1, "{line}");
    assert_eq!(
        outcome.stdout.matches("- `prompt` function").count(),
        1,
        "one most used prompt, the definition: {}",
        outcome.stdout
    );
}
