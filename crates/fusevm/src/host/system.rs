//! `SystemHost`: the opt-in host with real operating-system effects.
//!
//! It reproduces what upstream's *default* host did (api.md § 7, ops.md § 9): `exec` and
//! `exec_bg` spawn processes through `std::process::Command` (normal `PATH` lookup), `glob`
//! reads the file system through the `glob` crate, and `test_file` stats real paths. Every
//! other [`ShellHost`] method keeps the inert trait default. Nothing here panics: every
//! OS error becomes the documented status or `false`/empty result.

use super::ShellHost;
use crate::op::file_test;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

/// A [`ShellHost`] that runs real commands, globs and tests the real file system.
///
/// Install it with `vm.set_shell_host(Box::new(SystemHost))` when bytecode is trusted to
/// touch the machine; the VM's own defaults never do.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemHost;

impl ShellHost for SystemHost {
    /// Matches `pattern` with the `glob` crate. `recursive` is ignored, as upstream: the
    /// crate already gives `**` its recursive meaning. An invalid pattern matches nothing,
    /// unreadable entries are skipped, and paths are converted lossily, in the crate's
    /// (alphabetical) order.
    fn glob(&mut self, pattern: &str, recursive: bool) -> Vec<String> {
        let _ = recursive;
        match glob::glob(pattern) {
            Ok(paths) => paths
                .filter_map(Result::ok)
                .map(|p| p.to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Not a function host: always `None`, so the VM falls back to [`ShellHost::exec`].
    fn call_function(&mut self, name: &str, args: Vec<String>) -> Option<i32> {
        let _ = (name, args);
        None
    }

    /// Runs `args[0]` with `args[1..]`, stdio inherited, and waits. Returns the exit code,
    /// 1 if the process was killed by a signal, 127 if it could not be started, and 0 for
    /// an empty command.
    fn exec(&mut self, args: Vec<String>) -> i32 {
        let Some((program, rest)) = args.split_first() else {
            return 0;
        };
        match Command::new(program).args(rest).status() {
            Ok(status) => status.code().unwrap_or(1),
            Err(_) => 127,
        }
    }

    /// Starts `args[0]` with `args[1..]` in the background, stdout/stderr discarded (stdin
    /// inherited, as upstream), and returns its pid (0 for an empty command or a failed
    /// spawn). Unlike upstream, the child is reaped by a detached thread so it does not
    /// linger as a zombie.
    fn exec_bg(&mut self, args: Vec<String>) -> i32 {
        let Some((program, rest)) = args.split_first() else {
            return 0;
        };
        let spawned = Command::new(program)
            .args(rest)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(mut child) = spawned else {
            return 0;
        };
        let pid = i32::try_from(child.id()).unwrap_or(0);
        // If no thread can be created the closure (and with it the `Child`) is dropped:
        // the process keeps running and is reaped only when this process exits, which is
        // exactly upstream's behaviour, so there is nothing better to do here.
        let _ = std::thread::Builder::new()
            .name("fusevm-reaper".into())
            .spawn(move || {
                let _ = child.wait();
            });
        pid
    }

    /// Tests `path` on the real file system; `test` is an `op::file_test` code.
    fn test_file(&mut self, path: &str, test: u8) -> bool {
        test_path(Path::new(path), test)
    }
}

/// The `TestFile` semantics of ops.md § 9. Any error (missing path, permission denied)
/// and any unknown code answer `false`.
fn test_path(path: &Path, test: u8) -> bool {
    let followed = || fs::metadata(path);
    match test {
        file_test::IS_FILE => followed().is_ok_and(|m| m.is_file()),
        file_test::IS_DIR => followed().is_ok_and(|m| m.is_dir()),
        // Upstream checks only existence for -r and -w; kept for compatibility.
        file_test::IS_READABLE | file_test::IS_WRITABLE | file_test::EXISTS => followed().is_ok(),
        file_test::IS_EXECUTABLE => followed().is_ok_and(|m| is_executable(&m)),
        file_test::IS_NONEMPTY => followed().is_ok_and(|m| m.len() > 0),
        file_test::IS_SYMLINK => fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()),
        file_test::IS_SOCKET | file_test::IS_FIFO | file_test::IS_BLOCK_DEV | file_test::IS_CHAR_DEV => {
            fs::symlink_metadata(path).is_ok_and(|m| is_special_kind(&m.file_type(), test))
        }
        _ => false,
    }
}

/// Any of the owner/group/other execute bits.
#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

/// Without Unix permission bits, existence is all upstream checks.
#[cfg(not(unix))]
fn is_executable(_meta: &fs::Metadata) -> bool {
    true
}

/// Socket / FIFO / block / character device, from the (not followed) file type.
#[cfg(unix)]
fn is_special_kind(kind: &fs::FileType, test: u8) -> bool {
    use std::os::unix::fs::FileTypeExt;
    match test {
        file_test::IS_SOCKET => kind.is_socket(),
        file_test::IS_FIFO => kind.is_fifo(),
        file_test::IS_BLOCK_DEV => kind.is_block_device(),
        file_test::IS_CHAR_DEV => kind.is_char_device(),
        _ => false,
    }
}

/// These kinds only exist on Unix.
#[cfg(not(unix))]
fn is_special_kind(_kind: &fs::FileType, _test: u8) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::file_test::*;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(tag: &str) -> Self {
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!("fusevm-syshost-{tag}-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn path(&self, name: &str) -> String {
            self.0.join(name).to_string_lossy().into_owned()
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn exec_returns_exit_codes() {
        let mut h = SystemHost;
        assert_eq!(h.exec(argv(&["true"])), 0);
        assert_eq!(h.exec(argv(&["false"])), 1);
        assert_eq!(h.exec(argv(&["sh", "-c", "exit 3"])), 3);
        assert_eq!(h.exec(Vec::new()), 0);
        assert_eq!(h.exec(argv(&["fusevm-no-such-command-xyz"])), 127);
        assert_eq!(h.exec(argv(&[""])), 127);
    }

    #[cfg(unix)]
    #[test]
    fn exec_killed_by_signal_is_one() {
        assert_eq!(SystemHost.exec(argv(&["sh", "-c", "kill -9 $$"])), 1);
    }

    #[test]
    fn exec_passes_arguments() {
        let dir = TempDir::new("args");
        let out = dir.path("out");
        let script = format!("printf '%s|%s' \"$1\" \"$2\" > '{out}'");
        assert_eq!(SystemHost.exec(argv(&["sh", "-c", &script, "sh", "a b", "c"])), 0);
        assert_eq!(fs::read_to_string(&out).unwrap(), "a b|c");
    }

    #[test]
    fn exec_bg_returns_pid_or_zero() {
        let mut h = SystemHost;
        assert_eq!(h.exec_bg(Vec::new()), 0);
        assert_eq!(h.exec_bg(argv(&["fusevm-no-such-command-xyz"])), 0);
        assert!(h.exec_bg(argv(&["true"])) > 0);
    }

    #[test]
    fn exec_bg_runs_the_command() {
        let dir = TempDir::new("bg");
        let marker = dir.path("marker");
        let pid = SystemHost.exec_bg(argv(&["sh", "-c", &format!("echo noise; : > '{marker}'")]));
        assert!(pid > 0);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !Path::new(&marker).exists() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(Path::new(&marker).exists());
    }

    /// A reaped child disappears from /proc; a zombie would stay there (state `Z`).
    #[cfg(target_os = "linux")]
    #[test]
    fn exec_bg_leaves_no_zombie() {
        let pid = SystemHost.exec_bg(argv(&["true"]));
        assert!(pid > 0);
        let proc_dir = format!("/proc/{pid}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while Path::new(&proc_dir).exists() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(!Path::new(&proc_dir).exists(), "pid {pid} was not reaped");
    }

    #[test]
    fn glob_matches_in_alphabetical_order() {
        let dir = TempDir::new("glob");
        for name in ["b.txt", "a.txt", "c.log"] {
            fs::write(dir.path(name), "x").unwrap();
        }
        fs::create_dir(dir.path("sub")).unwrap();
        fs::write(dir.path("sub/d.txt"), "x").unwrap();
        let mut h = SystemHost;
        assert_eq!(
            h.glob(&dir.path("*.txt"), false),
            vec![dir.path("a.txt"), dir.path("b.txt")]
        );
        assert_eq!(
            h.glob(&dir.path("**/*.txt"), true),
            vec![dir.path("a.txt"), dir.path("b.txt"), dir.path("sub/d.txt")]
        );
        assert_eq!(h.glob(&dir.path("*.none"), false), Vec::<String>::new());
        // An unclosed character class is an invalid pattern.
        assert_eq!(h.glob(&dir.path("[a"), false), Vec::<String>::new());
    }

    #[test]
    fn call_function_declines_and_other_methods_stay_inert() {
        let mut h = SystemHost;
        assert_eq!(h.call_function("f", argv(&["x"])), None);
        assert_eq!(h.tilde_expand("~/x"), "~/x");
        assert_eq!(h.pipeline_end(), 0);
        assert!(h.str_match("a", "a"));
        assert!(!h.str_match("abc", "a*"));
        assert!(!h.regex_match("a", "a"));
        assert_eq!(h.subshell_end(), None);
    }

    #[test]
    fn test_file_on_regular_files_and_dirs() {
        let dir = TempDir::new("test");
        let full = dir.path("full");
        let empty = dir.path("empty");
        fs::write(&full, "data").unwrap();
        fs::write(&empty, "").unwrap();
        let d = dir.path("");
        let mut h = SystemHost;

        assert!(h.test_file(&full, IS_FILE));
        assert!(!h.test_file(&full, IS_DIR));
        assert!(h.test_file(&full, EXISTS));
        assert!(h.test_file(&full, IS_READABLE));
        assert!(h.test_file(&full, IS_WRITABLE));
        assert!(h.test_file(&full, IS_NONEMPTY));
        assert!(!h.test_file(&empty, IS_NONEMPTY));
        assert!(!h.test_file(&full, IS_SYMLINK));
        assert!(h.test_file(&d, IS_DIR));
        assert!(!h.test_file(&d, IS_FILE));

        let missing = dir.path("missing");
        for code in 0..=11 {
            assert!(!h.test_file(&missing, code), "code {code} on a missing path");
            assert!(!h.test_file("", code), "code {code} on the empty path");
        }
        for code in [12, 13, 200, 255] {
            assert!(!h.test_file(&full, code), "unknown code {code}");
            assert!(!h.test_file(&d, code), "unknown code {code}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn test_file_unix_kinds() {
        use std::os::unix::fs::{symlink, PermissionsExt};
        let dir = TempDir::new("unix");
        let file = dir.path("file");
        let exe = dir.path("exe");
        fs::write(&file, "x").unwrap();
        fs::write(&exe, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(&exe, fs::Permissions::from_mode(0o744)).unwrap();
        let link = dir.path("link");
        let dangling = dir.path("dangling");
        symlink(&file, &link).unwrap();
        symlink(dir.path("nowhere"), &dangling).unwrap();
        let sock = dir.path("sock");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let mut h = SystemHost;

        assert!(h.test_file(&exe, IS_EXECUTABLE));
        assert!(!h.test_file(&file, IS_EXECUTABLE));
        // Symlinks: -L does not follow, -f and -e do.
        assert!(h.test_file(&link, IS_SYMLINK));
        assert!(h.test_file(&link, IS_FILE));
        assert!(h.test_file(&dangling, IS_SYMLINK));
        assert!(!h.test_file(&dangling, EXISTS));
        assert!(h.test_file(&sock, IS_SOCKET));
        assert!(!h.test_file(&sock, IS_FIFO));
        assert!(!h.test_file(&file, IS_SOCKET));
        assert!(h.test_file("/dev/null", IS_CHAR_DEV));
        assert!(!h.test_file("/dev/null", IS_BLOCK_DEV));
        assert!(!h.test_file(&file, IS_CHAR_DEV));

        let fifo = dir.path("fifo");
        if Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            assert!(h.test_file(&fifo, IS_FIFO));
            assert!(!h.test_file(&fifo, IS_SOCKET));
            assert!(!h.test_file(&fifo, IS_FILE));
        }
    }
}
