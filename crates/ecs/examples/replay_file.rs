//! Minimal replay driver (same pipeline as `auditrs replay`), for profiling
//! the ecs crate alone: `cargo run --release -p audit-ecs --example replay_file -- IN OUT`.
use std::io::{BufReader, BufWriter};

use audit_ecs::{Replay, ReplayOptions, SystemNames};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(input), Some(output)) = (args.next(), args.next()) else {
        return Err("usage: replay_file IN OUT".into());
    };
    let out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&output)?);
    let mut r = Replay::new(ReplayOptions::default(), SystemNames::load(), out);
    let f = BufReader::with_capacity(1 << 20, std::fs::File::open(&input)?);
    r.feed(&input, f, &mut |w| eprintln!("warning: {w}"))?;
    let (summary, _) = r.finish()?;
    eprintln!("{summary}");
    Ok(())
}
