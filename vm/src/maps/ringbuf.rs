//! `BPF_MAP_TYPE_RINGBUF`: a byte ring that programs reserve records in, fill, and
//! submit or discard; the host consumes committed records in order.
//!
//! Accounting follows the kernel: every record takes its length plus an 8-byte
//! header, rounded up to 8 bytes, at the producer position; a reservation fails
//! when the ring would then hold `size` bytes or more past the consumer position;
//! a record still reserved holds back the records after it. The kernel maps the
//! data pages twice so a record that wraps stays contiguous; here the data area is
//! allocated twice as long, and a record that starts near the end simply runs on
//! into the second half, which the host reads back from there. Record headers are
//! kept by the host, out of the program's reach.

use super::error::MapError;
use crate::memory::SharedMemory;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

/// Bytes of a record header.
pub const HEADER_SIZE: u64 = 8;
/// `BPF_RB_NO_WAKEUP`: do not notify the consumer.
pub const BPF_RB_NO_WAKEUP: u64 = 1;
/// `BPF_RB_FORCE_WAKEUP`: notify the consumer.
pub const BPF_RB_FORCE_WAKEUP: u64 = 2;
/// `bpf_ringbuf_query` flag: bytes not yet consumed.
pub const BPF_RB_AVAIL_DATA: u64 = 0;
/// `bpf_ringbuf_query` flag: the ring's size.
pub const BPF_RB_RING_SIZE: u64 = 1;
/// `bpf_ringbuf_query` flag: the consumer position.
pub const BPF_RB_CONS_POS: u64 = 2;
/// `bpf_ringbuf_query` flag: the producer position.
pub const BPF_RB_PROD_POS: u64 = 3;

/// A record's state.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum State {
    Reserved,
    Committed,
    Discarded,
}

/// One record between the consumer and producer positions.
#[derive(Copy, Clone, Debug)]
struct Record {
    pos: u64,
    len: u64,
    state: State,
}

impl Record {
    fn span(&self) -> u64 {
        (self.len + HEADER_SIZE).div_ceil(8) * 8
    }
}

#[derive(Debug, Default)]
struct Ring {
    consumer: u64,
    producer: u64,
    records: VecDeque<Record>,
}

/// Called after a record is committed (unless the program asked for no wakeup).
pub type Notify = Arc<dyn Fn() + Send + Sync>;

/// A ring buffer map.
pub struct RingBuf {
    data: SharedMemory,
    size: u64,
    ring: Mutex<Ring>,
    notify: RwLock<Option<Notify>>,
}

impl fmt::Debug for RingBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingBuf")
            .field("size", &self.size)
            .field("ring", &*self.lock())
            .finish_non_exhaustive()
    }
}

impl RingBuf {
    /// An empty ring of `size` bytes (a power of two, checked by the spec).
    pub(crate) fn new(size: u32) -> Result<RingBuf, MapError> {
        let len = super::spec::storage_bytes(&[u64::from(size), 2])?;
        Ok(RingBuf {
            data: SharedMemory::new(len)?,
            size: u64::from(size),
            ring: Mutex::new(Ring::default()),
            notify: RwLock::new(None),
        })
    }

    /// The data area (one region; programs write their reserved records in it).
    pub(crate) fn memory(&self) -> &SharedMemory {
        &self.data
    }

    fn lock(&self) -> MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reserves `len` bytes; returns the guest address of the record's data.
    pub fn reserve(&self, len: u64) -> Result<u64, MapError> {
        let mut ring = self.lock();
        let record = Record {
            pos: ring.producer,
            len,
            state: State::Reserved,
        };
        let span = len
            .checked_add(HEADER_SIZE + 7)
            .map(|s| s / 8 * 8)
            .ok_or(MapError::NoSpace)?;
        let end = ring.producer.wrapping_add(span);
        if span >= self.size || end.wrapping_sub(ring.consumer) >= self.size {
            return Err(MapError::NoSpace);
        }
        ring.producer = end;
        ring.records.push_back(record);
        Ok(self.data.addr() + record.pos % self.size + HEADER_SIZE)
    }

    /// Commits (or with `discard`, drops) the record whose data starts at `addr`;
    /// notifies the consumer unless `flags` has [`BPF_RB_NO_WAKEUP`].
    pub fn submit(&self, addr: u64, discard: bool, flags: u64) -> Result<(), MapError> {
        {
            let mut ring = self.lock();
            let base = self.data.addr();
            let record = ring
                .records
                .iter_mut()
                .find(|r| {
                    r.state == State::Reserved && base + r.pos % self.size + HEADER_SIZE == addr
                })
                .ok_or(MapError::InvalidKey("not a reserved ring buffer record"))?;
            record.state = if discard {
                State::Discarded
            } else {
                State::Committed
            };
        }
        if !discard && flags & BPF_RB_NO_WAKEUP == 0 {
            let notify = self
                .notify
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            if let Some(n) = notify {
                n();
            }
        }
        Ok(())
    }

    /// Reserves, copies `data` in and commits it.
    pub fn output(&self, data: &[u8], flags: u64) -> Result<(), MapError> {
        let addr = self.reserve(data.len() as u64)?;
        let offset = (addr - self.data.addr()) as usize;
        self.data
            .write(offset, data)
            .map_err(|_| MapError::NoSpace)?;
        self.submit(addr, false, flags)
    }

    /// What `bpf_ringbuf_query` answers for `flag` (0 for unknown flags).
    pub fn query(&self, flag: u64) -> u64 {
        let ring = self.lock();
        match flag {
            BPF_RB_AVAIL_DATA => ring.producer - ring.consumer,
            BPF_RB_RING_SIZE => self.size,
            BPF_RB_CONS_POS => ring.consumer,
            BPF_RB_PROD_POS => ring.producer,
            _ => 0,
        }
    }

    /// Hands every committed record up to the first still reserved to `f`, in
    /// order, and frees their space; discarded records are skipped. Returns how
    /// many records `f` got.
    pub fn consume(&self, mut f: impl FnMut(&[u8])) -> usize {
        let mut n = 0;
        loop {
            let record = {
                let mut ring = self.lock();
                match ring.records.front().copied() {
                    Some(r) if r.state != State::Reserved => {
                        ring.records.pop_front();
                        ring.consumer = r.pos + r.span();
                        r
                    }
                    _ => return n,
                }
            };
            if record.state == State::Committed {
                let mut buf = vec![0; record.len as usize];
                let offset = (record.pos % self.size + HEADER_SIZE) as usize;
                if self.data.read(offset, &mut buf).is_ok() {
                    f(&buf);
                    n += 1;
                }
            }
        }
    }

    /// Discards every record still reserved at one of `addrs` (a run that ended
    /// without submitting them).
    pub fn discard_all(&self, addrs: &[u64]) {
        for &a in addrs {
            let _ = self.submit(a, true, BPF_RB_NO_WAKEUP);
        }
    }

    /// Sets the function called when records are committed.
    pub fn set_notify(&self, notify: Option<Notify>) {
        *self.notify.write().unwrap_or_else(|e| e.into_inner()) = notify;
    }

    /// The ring's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(rb: &RingBuf, addr: u64, data: &[u8]) {
        rb.data
            .write((addr - rb.data.addr()) as usize, data)
            .unwrap();
    }

    #[test]
    fn records_in_order_reserved_ones_hold_back() {
        let rb = RingBuf::new(4096).unwrap();
        let a = rb.reserve(3).unwrap();
        let b = rb.reserve(5).unwrap();
        assert_eq!(b - a, 16);
        write(&rb, a, b"abc");
        write(&rb, b, b"defgh");
        rb.submit(b, false, 0).unwrap();
        let mut got = vec![];
        assert_eq!(rb.consume(|r| got.push(r.to_vec())), 0);
        rb.submit(a, false, 0).unwrap();
        assert_eq!(rb.consume(|r| got.push(r.to_vec())), 2);
        assert_eq!(got, [b"abc".to_vec(), b"defgh".to_vec()]);
        assert_eq!(rb.query(BPF_RB_AVAIL_DATA), 0);
        assert_eq!(rb.query(BPF_RB_CONS_POS), 32);
        assert!(rb.submit(a, false, 0).is_err());
    }

    #[test]
    fn discard_query_and_full() {
        let rb = RingBuf::new(4096).unwrap();
        let a = rb.reserve(100).unwrap();
        assert_eq!(rb.query(BPF_RB_AVAIL_DATA), 112);
        assert_eq!(rb.query(BPF_RB_RING_SIZE), 4096);
        rb.submit(a, true, 0).unwrap();
        assert_eq!(rb.consume(|_| panic!("discarded")), 0);
        assert_eq!(rb.query(BPF_RB_PROD_POS), 112);
        assert_eq!(rb.reserve(4096), Err(MapError::NoSpace));
        let big = rb.reserve(4000).unwrap();
        assert_eq!(rb.reserve(100), Err(MapError::NoSpace));
        rb.discard_all(&[big]);
        rb.consume(|_| {});
        assert!(rb.reserve(100).is_ok());
        assert_eq!(rb.reserve(u64::MAX), Err(MapError::NoSpace));
    }

    #[test]
    fn wrapping_records_stay_contiguous() {
        let rb = RingBuf::new(4096).unwrap();
        for _ in 0..3 {
            let a = rb.reserve(1000).unwrap();
            rb.submit(a, true, 0).unwrap();
        }
        rb.consume(|_| {});
        // Producer at 3024: a 2000-byte record runs past the end of the ring.
        let a = rb.reserve(2000).unwrap();
        write(&rb, a, &[7; 2000]);
        rb.output(b"after", 0).unwrap();
        rb.submit(a, false, 0).unwrap();
        let mut got = vec![];
        rb.consume(|r| got.push(r.to_vec()));
        assert_eq!(got, [vec![7; 2000], b"after".to_vec()]);
    }

    #[test]
    fn notifications() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let rb = RingBuf::new(4096).unwrap();
        let count = Arc::new(AtomicUsize::new(0));
        let c = count.clone();
        rb.set_notify(Some(Arc::new(move || {
            c.fetch_add(1, Ordering::Relaxed);
        })));
        rb.output(b"x", 0).unwrap();
        rb.output(b"y", BPF_RB_NO_WAKEUP).unwrap();
        assert_eq!(count.load(Ordering::Relaxed), 1);
    }
}
