//! `trailaudit completions SHELL` and `trailaudit man`: generated from the
//! clap definition in `cli.rs`, so they cannot drift from the options.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::finding::Outcome;

/// Prints the completion script for `shell` (clap_complete).
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<Outcome> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "trailaudit", &mut out);
    super::emit_with(None, |w| w.write_all(&out))?;
    Ok(Outcome::Clean)
}

/// `audit`'s exit codes, as README's table has them (`diff` and `merge` document theirs in their sections).
const EXIT_CODES: [(&str, &str); 4] = [
    ("0", "nothing failing at or above --fail-on (default low), and no errors"),
    ("1", "at least one failing result at or above --fail-on (with --fail-on-new: one that is new since --baseline)"),
    (
        "2",
        "bad usage or bad input (malformed snapshot, invalid Rego, unknown config key), or a live run that cannot start (no credentials, no region, AWS unreachable)",
    ),
    ("3", "error results (some data could not be collected or a rule broke) and nothing failing; unlike Prowler's 3, not failed checks"),
];

/// Prints the manual page, trailaudit(1), with a section per subcommand (clap_mangen).
pub fn man() -> anyhow::Result<Outcome> {
    let command = Cli::command();
    let mut out = Vec::new();
    let page = clap_mangen::Man::new(command.clone());
    page.render_title(&mut out)?;
    page.render_name_section(&mut out)?;
    page.render_synopsis_section(&mut out)?;
    page.render_description_section(&mut out)?;
    page.render_options_section(&mut out)?;
    page.render_subcommands_section(&mut out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("trailaudit {}", sub.get_name());
        let mut section = clap_mangen::roff::Roff::new();
        section.control("SH", [name.to_uppercase().as_str()]);
        if let Some(about) = sub.get_long_about().or(sub.get_about()) {
            section.text([clap_mangen::roff::roman(about.to_string())]);
        }
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            let flag = match (arg.get_long(), arg.get_short()) {
                (Some(long), Some(short)) => format!("-{short}, --{long}"),
                (Some(long), None) => format!("--{long}"),
                (None, Some(short)) => format!("-{short}"),
                (None, None) => arg.get_value_names().map_or(arg.get_id().to_string(), |v| v.join(" ")),
            };
            section.control("TP", []);
            section.text([clap_mangen::roff::bold(flag)]);
            let help = arg.get_long_help().or(arg.get_help()).map(ToString::to_string).unwrap_or_default();
            section.text([clap_mangen::roff::roman(help)]);
        }
        section.to_writer(&mut out)?;
    }
    let mut exit = clap_mangen::roff::Roff::new();
    exit.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in EXIT_CODES {
        exit.control("TP", []);
        exit.text([clap_mangen::roff::bold(code)]);
        exit.text([clap_mangen::roff::roman(meaning)]);
    }
    exit.to_writer(&mut out)?;
    page.render_version_section(&mut out)?;
    super::emit_with(None, |w| w.write_all(&out))?;
    Ok(Outcome::Clean)
}
