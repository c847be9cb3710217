//! Estimates of the memory the exploration keeps: what the memory budget
//! ([`crate::Config::max_memory`]) counts. Each estimate is the value's own size plus
//! the heap buffers it owns (by capacity), so it bounds what the allocator hands out
//! up to its per-allocation overhead.

use crate::ghost::Ghost;
use crate::state::State;
use std::mem::size_of;

/// Bytes of a vector's heap buffer.
pub(crate) fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * size_of::<T>()
}

/// Heap bytes a state owns: its frames and their stacks, references and ghosts.
pub fn state_heap(st: &State) -> usize {
    vec_bytes(&st.frames)
        + st.frames
            .iter()
            .map(|f| f.stack.heap_bytes())
            .sum::<usize>()
        + vec_bytes(&st.refs)
        + vec_bytes::<Ghost>(&st.ghosts)
}

/// Heap bytes an optional state owns.
pub(crate) fn opt_state_heap(st: &Option<State>) -> usize {
    st.as_ref().map_or(0, state_heap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::SLOTS;
    use crate::state::Frame;

    #[test]
    fn a_state_counts_its_frames_and_stacks() {
        let mut st = State {
            frames: vec![Frame::new(0, 0, 0)],
            refs: Vec::new(),
            ghosts: Vec::new(),
        };
        let empty = state_heap(&st);
        assert!(empty >= size_of::<Frame>());
        st.frames[0].stack.write_data(-(8 * SLOTS as i32), 8, false);
        let full = state_heap(&st);
        assert!(full >= empty + SLOTS * size_of::<crate::stack::Slot>());
        assert!(full <= size_of::<Frame>() + 2 * SLOTS * size_of::<crate::stack::Slot>());
        assert_eq!(opt_state_heap(&None), 0);
        assert_eq!(opt_state_heap(&Some(st.clone())), full);
    }
}
