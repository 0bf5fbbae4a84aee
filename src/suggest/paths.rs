//! What a path is for, by the conventions most projects follow: test
//! code, documentation, examples, vendored code and the like. One
//! definition for every piece of advice that weighs paths.

/// What a directory is for, by the usual names.
pub(crate) fn purpose(dir: &str) -> Option<&'static str> {
    let name = dir.rsplit('/').next().unwrap_or(dir).to_ascii_lowercase();
    Some(match name.as_str() {
        "src" | "lib" | "source" | "pkg" | "internal" | "app" | "crates" | "packages" => "source",
        "test" | "tests" | "spec" | "specs" | "__tests__" | "testing" | "e2e" => "tests",
        "doc" | "docs" | "documentation" | "book" | "site" => "documentation",
        "example" | "examples" | "samples" | "demo" | "demos" => "examples",
        "bench" | "benches" | "benchmarks" => "benchmarks",
        "script" | "scripts" | "tools" | "tool" | "bin" | "xtask" | "ci" => "scripts and tools",
        "vendor" | "third_party" | "thirdparty" | "external" | "deps" => "vendored code",
        "node_modules" => "installed packages",
        ".github" | ".gitlab" | ".circleci" | ".ci" => "CI configuration",
        "build" | "dist" | "out" | "target" | "public" | "static" | "assets" => {
            "built or static files"
        }
        "fixtures" | "testdata" | "test_data" | "data" => "data and fixtures",
        "migrations" => "database migrations",
        "config" | "conf" | "etc" | "settings" => "configuration",
        "locale" | "locales" | "i18n" | "translations" => "translations",
        "templates" => "templates",
        "grammars" => "grammars",
        "extras" | "contrib" => "extras",
        _ => return None,
    })
}

/// Whether a path is test code by the usual conventions: a `test`,
/// `tests`, `__tests__`, `spec` or `testing` directory, or a file named
/// `test_*`, `*_test.*`, `*_tests.*`, `*.test.*`, `*.spec.*` or `*Test.*`.
pub(crate) fn is_test_path(path: &str) -> bool {
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_some() {
            if matches!(
                part,
                "test" | "tests" | "__tests__" | "spec" | "specs" | "testing"
            ) {
                return true;
            }
            continue;
        }
        let stem = part.split('.').next().unwrap_or(part);
        return stem.starts_with("test_")
            || stem.ends_with("_test")
            || stem.ends_with("_tests")
            || stem.ends_with("Test")
            || stem.ends_with("Tests")
            || part.contains(".test.")
            || part.contains(".spec.");
    }
    false
}

/// A release-notes document (`CHANGES.md`, `CHANGELOG`, `HISTORY.rst`,
/// `NEWS.txt`, `RELEASE_NOTES.md`): by its whole stem and a document
/// extension, so `history.py` or `news_feed.py` stay code.
fn is_release_notes(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    let document = matches!(
        extension.to_ascii_lowercase().as_str(),
        "" | "md" | "markdown" | "rst" | "txt" | "adoc"
    );
    let stem = stem.to_ascii_uppercase().replace('-', "_");
    document
        && matches!(
            stem.as_str(),
            "CHANGES" | "CHANGELOG" | "HISTORY" | "NEWS" | "RELEASES" | "RELEASE_NOTES"
        )
}

/// Path parts whose code is not the project's own working code; release
/// notes (CHANGES, CHANGELOG, HISTORY, NEWS) included.
pub(crate) fn is_peripheral(path: &str) -> bool {
    is_release_notes(path)
        || is_test_path(path)
        || path.split('/').rev().skip(1).any(|part| {
            matches!(
                purpose(part),
                Some(
                    "examples"
                        | "documentation"
                        | "benchmarks"
                        | "vendored code"
                        | "data and fixtures"
                )
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_notes_are_documents_not_code_of_the_same_name() {
        for path in [
            "CHANGES.md",
            "docs/CHANGELOG",
            "HISTORY.rst",
            "NEWS.txt",
            "release-notes.md",
        ] {
            assert!(is_peripheral(path), "{path}");
        }
        for path in [
            "src/history.py",
            "app/news_feed.py",
            "scripts/release.py",
            "src/changes.rs",
        ] {
            assert!(!is_peripheral(path), "{path}");
        }
    }

    #[test]
    fn test_code_is_told_by_its_path() {
        for path in [
            "tests/a.py",
            "src/__tests__/x.js",
            "pkg/test_views.py",
            "db/query_test.go",
            "ui/button.spec.ts",
            "src/FooTest.java",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in [
            "src/testing.py",
            "contest/a.py",
            "latest.py",
            "src/attest.rs",
        ] {
            assert!(!is_test_path(path), "{path}");
        }
    }

    #[test]
    fn examples_docs_and_vendored_code_are_peripheral() {
        assert!(is_peripheral("examples/termui/termui.py"));
        assert!(is_peripheral("docs/conf.py"));
        assert!(is_peripheral("vendor/lib/a.go"));
        assert!(!is_peripheral("src/examples.py"));
        assert!(!is_peripheral("src/core.py"));
    }
}
