//! Drives the real binary on temporary fixture repositories.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// The stdout parsed as JSON; fails the test with the output otherwise.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts the exit code, printing both streams when it differs.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code {} (wanted {code})\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// Runs the binary in `cwd` with `args`, no terminal, no color.
pub fn ctxbudget(cwd: &Path, args: &[&str]) -> Outcome {
    ctxbudget_env(cwd, args, &[])
}

/// Like [`ctxbudget`], with extra environment variables.
pub fn ctxbudget_env(cwd: &Path, args: &[&str], env: &[(&str, &Path)]) -> Outcome {
    let output = command(cwd, args, env).output().expect("the binary runs");
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The binary in `cwd` with `args`: no terminal, no color, the test cache.
fn command(cwd: &Path, args: &[&str], env: &[(&str, &Path)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ctxbudget"));
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env("CTXBUDGET_CACHE_DIR", shared_cache())
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    command
}

/// One cache directory for this test process, so no test touches the
/// user's cache (a test can override it through `ctxbudget_env`).
pub fn shared_cache() -> &'static Path {
    static DIR: std::sync::LazyLock<tempfile::TempDir> =
        std::sync::LazyLock::new(|| tempfile::tempdir().expect("cache dir"));
    DIR.path()
}

/// A throwaway directory tree to scan.
pub struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        Repo {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file, creating its directories.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let path = self.join(rel);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(&path, content).expect("write fixture");
        self
    }

    /// Runs the binary inside the repository.
    pub fn run(&self, args: &[&str]) -> Outcome {
        ctxbudget(self.path(), args)
    }

    /// `scan --format json` with extra args, expecting exit 0.
    pub fn scan_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["scan", "--format", "json"];
        all.extend_from_slice(args);
        let outcome = self.run(&all);
        outcome.expect_code(0);
        outcome.json()
    }
}

/// The paths of `files` in a scan's JSON.
pub fn file_paths(json: &serde_json::Value) -> Vec<String> {
    json["files"]
        .as_array()
        .expect("files array")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect()
}

/// The `skipped` entries as (path, reason).
pub fn skipped(json: &serde_json::Value) -> Vec<(String, String)> {
    json["skipped"]
        .as_array()
        .expect("skipped array")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().expect("path").to_string(),
                s["reason"].as_str().expect("reason").to_string(),
            )
        })
        .collect()
}

/// The file entry for `path`.
pub fn file<'a>(json: &'a serde_json::Value, path: &str) -> &'a serde_json::Value {
    json["files"]
        .as_array()
        .expect("files array")
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in files: {:?}", file_paths(json)))
}

/// Whether the test runs with root's power to read anything.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Compares `actual` with the golden file `tests/golden/<name>`, failing
/// with a diff; `SNAPSHOTS=overwrite` rewrites the file instead.
#[track_caller]
pub fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    snapbox::Assert::new()
        .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
        .eq(
            actual.to_string(),
            snapbox::Data::read_from(&path, None).raw(),
        );
}

/// Runs the binary like [`ctxbudget_env`] but kills it after `seconds`
/// and fails the test: for inputs that once made a run hang.
#[track_caller]
pub fn bounded(cwd: &Path, args: &[&str], env: &[(&str, &Path)], seconds: u64) -> Outcome {
    let mut child = command(cwd, args, env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    // Drain the pipes on threads so a large output cannot stall the child.
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ctxbudget {args:?} still running after {seconds} s: it hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Outcome {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.join().expect("stdout")).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().expect("stderr")).into_owned(),
    }
}

/// Makes a named pipe at `path` (Unix); false when the system has no mkfifo.
pub fn mkfifo(path: &Path) -> bool {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// Copies the fixture tree `from` into `to`, replacing `@ROOT@` in every
/// file with `root` when given (transcripts name their project by path).
pub fn copy(from: &Path, to: &Path, root: Option<&str>) {
    for entry in std::fs::read_dir(from).expect("fixture dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy(&entry.path(), &target, root);
        } else {
            let mut bytes = std::fs::read(entry.path()).expect("read fixture");
            if let Some(root) = root {
                let text = String::from_utf8(bytes).expect("UTF-8 fixture");
                bytes = text.replace("@ROOT@", root).into_bytes();
            }
            std::fs::write(&target, bytes).expect("write");
        }
    }
}

/// Runs the binary in `cwd` with `input` on stdin (as a hook is run).
pub fn ctxbudget_stdin(cwd: &Path, args: &[&str], env: &[(&str, &Path)], input: &[u8]) -> Outcome {
    let mut child = command(cwd, args, env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("piped");
    let input = input.to_vec();
    // Written on a thread: a child that stops reading must not stall us.
    let writer = std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut stdin, &input);
    });
    let output = child.wait_with_output().expect("the binary runs");
    let _ = writer.join();
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
