//! `reident keygen -o DIR [--no-password]`: a key pair that signs reports.

use std::io::IsTerminal;
use std::path::PathBuf;

use reident::error::{Error, Result};
use reident::report::sign::PASSWORD_ENV;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write reident.key and reident.pub to.
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Write the secret key without a password (for a pipeline that keeps it in a secret store).
    /// Otherwise the password is $REIDENT_KEY_PASSWORD, or asked twice in a terminal.
    #[arg(long)]
    pub no_password: bool,
    /// Replace key files that exist (reports they signed then verify only with the old key).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> Result<i32> {
    let password = if args.no_password {
        None
    } else if let Ok(p) = std::env::var(PASSWORD_ENV) {
        Some(p)
    } else if std::io::stdin().is_terminal() {
        let ask = |prompt: &str| {
            rpassword::prompt_password(prompt)
                .map_err(|e| Error::Invalid(format!("reading the password: {e}")))
        };
        let first = ask("password for the new secret key: ")?;
        if ask("the same password again: ")? != first {
            return Err(Error::Invalid(
                "the two passwords differ; nothing written".into(),
            ));
        }
        Some(first)
    } else {
        return Err(Error::Invalid(format!(
            "no terminal to ask for the key's password in: set {PASSWORD_ENV}, or give --no-password"
        )));
    };
    let keys = reident::keygen::run(&reident::keygen::Options {
        dir: args.output.clone(),
        password,
        force: args.force,
    })?;
    print!("{}", reident::text::terminal(&reident::text::keygen(&keys)));
    Ok(0)
}
