//! `BPF_MAP_TYPE_PERF_EVENT_ARRAY`: per-index event sinks and counters, provided
//! by the host. `bpf_perf_event_output` hands records to the sink at an index (the
//! kernel's perf ring buffer of that CPU); `bpf_perf_event_read` reads the counter
//! there.

use super::error::MapError;
use std::fmt;
use std::sync::{Arc, RwLock};

/// Receives the records a program outputs at one index: (index, record).
pub type PerfSink = Arc<dyn Fn(u32, &[u8]) + Send + Sync>;

/// A counter's reading, as `struct bpf_perf_event_value` holds it.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct CounterValue {
    /// The count.
    pub counter: u64,
    /// Time enabled, in nanoseconds.
    pub enabled: u64,
    /// Time running, in nanoseconds.
    pub running: u64,
}

/// Reads a counter.
pub type PerfCounter = Arc<dyn Fn() -> CounterValue + Send + Sync>;

/// What the host put at one index.
#[derive(Clone, Default)]
struct Slot {
    sink: Option<PerfSink>,
    counter: Option<PerfCounter>,
}

/// A perf event array.
pub struct PerfEventArray {
    slots: RwLock<Vec<Slot>>,
}

impl fmt::Debug for PerfEventArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PerfEventArray")
            .field("entries", &self.slots.read().map(|s| s.len()).unwrap_or(0))
            .finish()
    }
}

impl PerfEventArray {
    /// `max_entries` empty indices.
    pub(crate) fn new(max_entries: u32) -> PerfEventArray {
        PerfEventArray {
            slots: RwLock::new(vec![Slot::default(); max_entries as usize]),
        }
    }

    fn slot(&self, index: u32) -> Result<Slot, MapError> {
        let slots = self.slots.read().unwrap_or_else(|e| e.into_inner());
        slots.get(index as usize).cloned().ok_or(MapError::Full)
    }

    fn edit(&self, index: u32, f: impl FnOnce(&mut Slot)) -> Result<(), MapError> {
        let mut slots = self.slots.write().unwrap_or_else(|e| e.into_inner());
        slots.get_mut(index as usize).map(f).ok_or(MapError::Full)
    }

    /// Sets (or with `None` removes) the sink at `index`.
    pub fn set_sink(&self, index: u32, sink: Option<PerfSink>) -> Result<(), MapError> {
        self.edit(index, |s| s.sink = sink)
    }

    /// Sets the same sink at every index.
    pub fn set_sink_all(&self, sink: PerfSink) {
        let mut slots = self.slots.write().unwrap_or_else(|e| e.into_inner());
        for s in slots.iter_mut() {
            s.sink = Some(sink.clone());
        }
    }

    /// Sets (or removes) the counter at `index`.
    pub fn set_counter(&self, index: u32, counter: Option<PerfCounter>) -> Result<(), MapError> {
        self.edit(index, |s| s.counter = counter)
    }

    /// Delivers `record` to the sink at `index`: `E2BIG` past the end, `ENOENT`
    /// when nothing is there (as the kernel reports an empty slot).
    pub fn output(&self, index: u32, record: &[u8]) -> Result<(), MapError> {
        let sink = self.slot(index)?.sink.ok_or(MapError::NotFound)?;
        sink(index, record);
        Ok(())
    }

    /// Reads the counter at `index` (`E2BIG` past the end, `ENOENT` when none).
    pub fn read(&self, index: u32) -> Result<CounterValue, MapError> {
        let counter = self.slot(index)?.counter.ok_or(MapError::NotFound)?;
        Ok(counter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn sinks_and_counters() {
        let p = PerfEventArray::new(2);
        assert_eq!(p.output(0, b"x"), Err(MapError::NotFound));
        assert_eq!(p.output(2, b"x"), Err(MapError::Full));
        let got = Arc::new(Mutex::new(vec![]));
        let g = got.clone();
        p.set_sink_all(Arc::new(move |i, r| {
            g.lock().unwrap().push((i, r.to_vec()))
        }));
        p.output(1, b"hi").unwrap();
        assert_eq!(*got.lock().unwrap(), [(1, b"hi".to_vec())]);
        assert_eq!(p.read(0), Err(MapError::NotFound));
        let v = CounterValue {
            counter: 5,
            enabled: 1,
            running: 1,
        };
        p.set_counter(0, Some(Arc::new(move || v))).unwrap();
        assert_eq!(p.read(0), Ok(v));
        p.set_sink(1, None).unwrap();
        assert_eq!(p.output(1, b"x"), Err(MapError::NotFound));
    }
}
