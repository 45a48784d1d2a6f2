//! Temporary files and folders that an interrupted run must not leave behind.
//!
//! Every temporary file (`write_atomically`) and folder (`folder::write_folder`) is registered
//! here while it exists. [`remove_all`] removes those still registered: the `reident` binary
//! calls it from its panic hook, and from the thread that [`remove_on_signals`] starts, which
//! waits for SIGINT, SIGTERM or SIGHUP, removes them and ends the process with the status a
//! shell expects (128 + the signal). SIGKILL cannot be caught: a file `.NAME.tmp-PID` may then
//! remain (readable by its owner only).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

static REGISTERED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn registered() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    REGISTERED.lock().unwrap_or_else(|e| e.into_inner())
}

/// A registered temporary: removed when dropped unless [`Temporary::keep`] was called (it was
/// renamed into place). Dropping it during a panic's unwinding removes it too.
pub(crate) struct Temporary {
    path: PathBuf,
    kept: bool,
}

impl Temporary {
    pub(crate) fn new(path: PathBuf) -> Temporary {
        registered().push(path.clone());
        Temporary { path, kept: false }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary became the output: nothing to remove.
    pub(crate) fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if !self.kept {
            remove(&self.path);
        }
        let mut r = registered();
        if let Some(i) = r.iter().rposition(|p| *p == self.path) {
            r.swap_remove(i);
        }
    }
}

fn remove(path: &Path) {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        let _ = std::fs::remove_dir_all(path);
    } else {
        let _ = std::fs::remove_file(path);
    }
}

/// Removes every registered temporary file and folder (at the end of a process that is being
/// stopped: a signal or a panic).
pub fn remove_all() {
    let paths = std::mem::take(&mut *registered());
    for p in paths {
        remove(&p);
    }
}

/// Makes SIGINT, SIGTERM and SIGHUP remove the temporaries and end the process (status 128 +
/// the signal). Call it first in `main`, before any thread starts: the signals are blocked in
/// this thread and the threads it starts later, and one thread waits for them.
#[cfg(unix)]
pub fn remove_on_signals() {
    // SAFETY: plain libc calls on a signal set owned here; sigwait runs in an ordinary thread,
    // so the cleanup is not restricted to async-signal-safe functions.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, s);
        }
        if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("reident-signals".into())
            .spawn(move || loop {
                let mut sig: libc::c_int = 0;
                if libc::sigwait(&set, &mut sig) == 0 {
                    remove_all();
                    std::process::exit(128 + sig);
                }
            });
        if spawned.is_err() {
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        }
    }
}

/// Without Unix signals there is nothing to install.
#[cfg(not(unix))]
pub fn remove_on_signals() {}
