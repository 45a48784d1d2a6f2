//! The `reident` command line: a thin layer over the library, one module per subcommand.
//!
//! Exit status: 0 on success, 2 on any error (bad input, unknown column, unreadable file), with one
//! line on stderr that names the problem. Later commands that gate pipelines use 1 for "a threshold
//! failed", so 2 is kept for "could not tell".

mod cli;

// glibc returns large blocks to the kernel at once; on a VM every munmap costs a TLB shootdown
// across threads. mimalloc keeps and reuses them (measured: see the README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

/// mimalloc's `mi_option_purge_delay` (between `eager_commit_delay`, 14, and `use_numa_nodes`, 16,
/// in libmimalloc-sys's option list).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // First, before any thread starts: SIGINT, SIGTERM and SIGHUP remove the temporary files
    // under way (they may hold records) and end the process with status 128 + the signal.
    reident::output::temporaries::remove_on_signals();
    // `reident ... | head` closes stdout early: end quietly like other Unix tools (killed by
    // SIGPIPE) instead of reporting the failed write as an internal error.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Never hand freed memory back to the kernel during a run: each chunk frees and reallocates
    // buffers of the same sizes, and re-faulting zeroed pages cost up to half the wall time on a
    // VM (measured on the 10M-row file: 0.1-2.0 s of system time; with this, under 0.4 s).
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    // A panic is a bug, but a pipeline still deserves one line and status 2, not a backtrace.
    // A panic that the library catches at a reader boundary (and reports as an error) passes.
    std::panic::set_hook(Box::new(|info| {
        if reident::error::catching_panics() {
            return;
        }
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("reident: internal error: {msg}{at} (please report this)");
        reident::output::temporaries::remove_all();
        std::process::exit(2);
    }));
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!(
                "reident: error: {}",
                reident::text::terminal(&e.to_string())
            );
            std::process::exit(2);
        }
    }
}
