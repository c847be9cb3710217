//! A plugin host: verifies untrusted filters (`tests/bpf/plugin_filter.o`, a
//! host-defined program type over the host's `struct event`) against the host's
//! context layout and helper, runs the accepted ones with an instruction budget,
//! and survives a filter that never ends (which the verifier refuses, and which
//! the budget stops when run anyway).
//!
//! ```text
//! cargo run --example plugin_host
//! ```

use ferrobpf::embed::{EmbedError, Object, Options, ProgType};
use ferrobpf::verifier::ctx::{CtxField, CtxLayout};
use ferrobpf::verifier::Config;
use ferrobpf::vm::helpers::{ArgKind, Helper, HelperSignature, ReturnKind};
use std::sync::{Arc, Mutex};

/// Instructions a filter may run per event.
pub const BUDGET: u64 = 10_000;

/// Instructions the verifier may explore per filter before giving up.
pub const VERIFIER_BUDGET: usize = 20_000;

/// The filters' program type: `struct event`, every field readable, none
/// writable.
pub fn event_type() -> ProgType {
    ProgType::Host(CtxLayout {
        size: 16,
        fields: vec![CtxField::ro(0, 4), CtxField::ro(4, 4), CtxField::ro(8, 8)],
    })
}

/// The verifier's settings for a filter: the event type, a small exploration
/// budget.
fn verifier_config() -> Config {
    Config {
        max_insns: VERIFIER_BUDGET,
        ..Config::new(event_type())
    }
}

/// The host's event, as the filters see it (`struct event`).
#[derive(Copy, Clone, Debug)]
pub struct Event {
    /// Kind (filters accept kind 1).
    pub kind: u32,
    /// Size.
    pub size: u32,
    /// Value.
    pub value: u64,
}

impl Event {
    fn bytes(&self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..4].copy_from_slice(&self.kind.to_le_bytes());
        b[4..8].copy_from_slice(&self.size.to_le_bytes());
        b[8..].copy_from_slice(&self.value.to_le_bytes());
        b
    }
}

/// What the host observed.
#[derive(Debug)]
pub struct Outcome {
    /// Events `accept_small` accepted.
    pub accepted: Vec<u64>,
    /// Values the filter noted through the host helper.
    pub notes: Vec<u64>,
    /// What the verifier said of the runaway filter.
    pub greedy_verdict: Result<(), EmbedError>,
    /// How the runaway filter ended when run unverified.
    pub greedy: Result<u64, EmbedError>,
}

/// Loads the filters, lowers their `limit`, filters `events`, then runs the
/// filter that never ends.
pub fn run(events: &[Event]) -> Result<Outcome, Box<dyn std::error::Error>> {
    let notes = Arc::new(Mutex::new(Vec::new()));
    let sink = notes.clone();
    let signature = HelperSignature::new(&[ArgKind::Scalar], ReturnKind::Scalar)?;
    let host_note = Helper::new("host_note", signature, move |_, args| {
        sink.lock()
            .map_err(|_| ferrobpf::vm::helpers::HelperError::Failed("poisoned".into()))?
            .push(args[0]);
        Ok(0)
    });
    let options = Options::default().budget(BUDGET).helper(1000, host_note);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bpf/plugin_filter.o");
    let bytes = std::fs::read(path)?;
    let obj = Object::load(&bytes, options)?;
    // The filters' `const volatile limit` lives in `.rodata`: the host sets it
    // before running them, as a libbpf skeleton does.
    obj.map(".rodata")?
        .update(&0u32.to_le_bytes(), &500u64.to_le_bytes(), 0)?;
    let filter = obj
        .program("accept_small")?
        .verify_with(verifier_config())?;
    let mut accepted = Vec::new();
    for e in events {
        if filter.run_context(&mut e.bytes(), false)? == 1 {
            accepted.push(e.value);
        }
    }
    let greedy = obj.program("greedy")?;
    let greedy_verdict = greedy.clone().verify_with(verifier_config()).map(drop);
    let greedy = greedy.jit()?;
    let event = Event {
        kind: 1,
        size: 0,
        value: 0,
    };
    let greedy = greedy.run_context(&mut event.bytes(), false);
    let notes = notes.lock().map(|n| n.clone()).unwrap_or_default();
    Ok(Outcome {
        accepted,
        notes,
        greedy_verdict,
        greedy,
    })
}

fn main() {
    let events: Vec<Event> = (0..10u64)
        .map(|i| Event {
            kind: if i % 4 == 3 { 2 } else { 1 },
            size: 16,
            value: i * 150,
        })
        .collect();
    match run(&events) {
        Ok(o) => {
            println!("accepted values: {:?}", o.accepted);
            println!("notes from the filter: {:?}", o.notes);
            if let Err(e) = o.greedy_verdict {
                println!("the verifier refused the runaway filter: {e}");
            }
            match o.greedy {
                Ok(r) => println!("the runaway filter returned {r}"),
                Err(e) => println!("the runaway filter was stopped: {e}"),
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
