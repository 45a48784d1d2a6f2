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

fn main() {
    // A panic is a bug, but a pipeline still deserves one line and status 2, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
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
        std::process::exit(2);
    }));
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("reident: error: {e}");
            std::process::exit(2);
        }
    }
}
