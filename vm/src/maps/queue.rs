//! `BPF_MAP_TYPE_QUEUE` (first in, first out) and `BPF_MAP_TYPE_STACK` (last in,
//! first out): values without keys, copied in and out.

use super::error::MapError;
use super::flags::{BPF_ANY, BPF_EXIST};
use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

/// Which end `pop` and `peek` take from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    /// Queue: the oldest value.
    Fifo,
    /// Stack: the newest value.
    Lifo,
}

/// A queue or stack map.
#[derive(Debug)]
pub struct QueueMap {
    items: Mutex<VecDeque<Box<[u8]>>>,
    order: Order,
    value_size: usize,
    max_entries: usize,
}

impl QueueMap {
    /// An empty queue or stack.
    pub(crate) fn new(order: Order, value_size: u32, max_entries: u32) -> QueueMap {
        QueueMap {
            items: Mutex::new(VecDeque::new()),
            order,
            value_size: value_size as usize,
            max_entries: max_entries as usize,
        }
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<Box<[u8]>>> {
        self.items.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Pushes `value`; when full, `BPF_EXIST` drops the oldest value, otherwise
    /// the push fails with `E2BIG`.
    pub(crate) fn push(&self, value: &[u8], flags: u64) -> Result<(), MapError> {
        if flags != BPF_ANY && flags != BPF_EXIST {
            return Err(MapError::InvalidFlags(flags));
        }
        if value.len() != self.value_size {
            return Err(MapError::ValueSize {
                expected: self.value_size,
                got: value.len(),
            });
        }
        let mut items = self.lock();
        if items.len() >= self.max_entries {
            if flags != BPF_EXIST {
                return Err(MapError::Full);
            }
            items.pop_front();
        }
        items.push_back(value.into());
        Ok(())
    }

    /// Removes and returns the next value.
    pub(crate) fn pop(&self) -> Result<Vec<u8>, MapError> {
        let mut items = self.lock();
        let v = match self.order {
            Order::Fifo => items.pop_front(),
            Order::Lifo => items.pop_back(),
        };
        v.map(Vec::from).ok_or(MapError::NotFound)
    }

    /// Returns the next value without removing it.
    pub(crate) fn peek(&self) -> Result<Vec<u8>, MapError> {
        let items = self.lock();
        let v = match self.order {
            Order::Fifo => items.front(),
            Order::Lifo => items.back(),
        };
        v.map(|b| b.to_vec()).ok_or(MapError::NotFound)
    }

    /// Number of values held.
    pub(crate) fn len(&self) -> u32 {
        self.lock().len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_and_stack_orders() {
        for (order, first) in [(Order::Fifo, 1u8), (Order::Lifo, 2)] {
            let q = QueueMap::new(order, 1, 2);
            assert_eq!(q.pop(), Err(MapError::NotFound));
            q.push(&[1], BPF_ANY).unwrap();
            q.push(&[2], BPF_ANY).unwrap();
            assert_eq!(q.push(&[3], BPF_ANY), Err(MapError::Full));
            assert_eq!(q.peek().unwrap(), [first]);
            assert_eq!(q.pop().unwrap(), [first]);
            assert_eq!(q.len(), 1);
            assert_eq!(q.push(&[3], 1), Err(MapError::InvalidFlags(1)));
            assert!(q.push(&[3, 4], BPF_ANY).is_err());
        }
    }

    #[test]
    fn exist_flag_overwrites_the_oldest() {
        let s = QueueMap::new(Order::Lifo, 1, 2);
        for v in 1..=3u8 {
            s.push(&[v], BPF_EXIST).unwrap();
        }
        assert_eq!(s.pop().unwrap(), [3]);
        assert_eq!(s.pop().unwrap(), [2]);
        assert_eq!(s.pop(), Err(MapError::NotFound));
    }
}
