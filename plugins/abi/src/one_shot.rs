//! A global allocator for plugins that answer one request and are thrown away.
//!
//! A plugin instance lives for one grading, so memory it frees is hardly ever reused;
//! the C library's `malloc` still does a general allocator's bookkeeping on every call,
//! about a sixth of a quiz grading's instructions. [`OneShot`] hands blocks out of a fixed
//! arena in the module's zero-initialised data, one after another, and takes back only
//! the most recent block (a `String` or `Vec` that grows or is dropped right away). What
//! does not fit goes to the system allocator, so a large request still works, at the
//! usual cost. The arena is the program's own static memory: nothing else (the C
//! library's heap above `__heap_base`, the stack) ever uses it.
//!
//! Portable Rust: the native build of a plugin (the benchmark's process-per-grading
//! baseline) runs the same allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes of the arena: a grading of the shipped quiz needs about 20 KiB (16 KiB of it
/// the request buffer), a large request spills into the system allocator.
const ARENA: usize = 256 << 10;

#[repr(C, align(16))]
struct Arena(UnsafeCell<[u8; ARENA]>);

/// The allocator: `#[global_allocator] static A: OneShot = OneShot::new();`.
pub struct OneShot {
    arena: Arena,
    /// Offset of the arena's first free byte.
    used: AtomicUsize,
}

// SAFETY: the arena's bytes are only reached through blocks handed out by `alloc`, and
// `used` is claimed with compare-and-swap, so two threads never get the same bytes.
unsafe impl Sync for OneShot {}

impl OneShot {
    /// An allocator that has handed out nothing yet.
    pub const fn new() -> OneShot {
        OneShot {
            arena: Arena(UnsafeCell::new([0; ARENA])),
            used: AtomicUsize::new(0),
        }
    }

    fn base(&self) -> usize {
        self.arena.0.get() as usize
    }

    /// The arena offset of `ptr`, if it points into the arena.
    fn offset(&self, ptr: *mut u8) -> Option<usize> {
        (ptr as usize)
            .checked_sub(self.base())
            .filter(|&offset| offset < ARENA)
    }

    /// A block of the arena for `layout`, or `None` when it does not fit.
    fn bump(&self, layout: Layout) -> Option<*mut u8> {
        let base = self.base();
        let mut used = self.used.load(Ordering::Relaxed);
        loop {
            let start = (base + used).checked_next_multiple_of(layout.align())? - base;
            let end = start.checked_add(layout.size()).filter(|&e| e <= ARENA)?;
            match self
                .used
                .compare_exchange_weak(used, end, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return Some(self.arena.0.get().cast::<u8>().wrapping_add(start)),
                Err(now) => used = now,
            }
        }
    }
}

impl Default for OneShot {
    fn default() -> OneShot {
        OneShot::new()
    }
}

// SAFETY: arena blocks are in bounds, aligned as asked and never handed out twice while
// live (only the block ending at `used` is taken back); everything else is `System`'s.
unsafe impl GlobalAlloc for OneShot {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.bump(layout) {
            Some(ptr) => ptr,
            // SAFETY: the caller's contract of `alloc`.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match self.offset(ptr) {
            Some(start) => {
                // Only the most recent block can be taken back; if another was handed out
                // meanwhile, this one stays used until the plugin ends.
                let _ = self.used.compare_exchange(
                    start + layout.size(),
                    start,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }
            // SAFETY: a block outside the arena came from `System`.
            None => unsafe { System.dealloc(ptr, layout) },
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Some(start) = self.offset(ptr) else {
            // SAFETY: a block outside the arena came from `System`.
            return unsafe { System.realloc(ptr, layout, new_size) };
        };
        // The most recent block grows or shrinks in place while the arena has room.
        if let Some(end) = start.checked_add(new_size).filter(|&e| e <= ARENA)
            && self
                .used
                .compare_exchange(
                    start + layout.size(),
                    end,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            return ptr;
        }
        // SAFETY: `realloc`'s contract makes `new_size` with the old alignment a valid
        // layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: the caller's contract of `alloc` holds for `new_layout`.
        let moved = unsafe { self.alloc(new_layout) };
        if !moved.is_null() {
            // SAFETY: both blocks are live and valid for the smaller size, and distinct.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: OneShot = OneShot::new();

    #[test]
    fn hands_out_aligned_disjoint_blocks_grows_the_last_in_place_and_spills_over() {
        let small = Layout::from_size_align(10, 1).unwrap();
        let wide = Layout::from_size_align(64, 16).unwrap();
        unsafe {
            let a = A.alloc(small);
            let b = A.alloc(wide);
            assert_eq!(b as usize % 16, 0);
            assert!(b as usize >= a as usize + 10);
            b.write_bytes(7, 64);
            // `b` is the last block: it grows where it is, keeping its bytes.
            let grown = A.realloc(b, wide, 200);
            assert_eq!(grown, b);
            assert_eq!(*grown.add(63), 7);
            // `a` is not: it moves, with its bytes.
            a.write_bytes(3, 10);
            let moved = A.realloc(a, small, 20);
            assert_ne!(moved, a);
            assert_eq!(*moved.add(9), 3);
            // The last block is taken back and handed out again.
            let last = Layout::from_size_align(20, 1).unwrap();
            A.dealloc(moved, last);
            assert_eq!(A.alloc(last), moved);
            // More than the arena holds comes from the system allocator.
            let big = Layout::from_size_align(ARENA + 1, 8).unwrap();
            let outside = A.alloc(big);
            assert!(!outside.is_null() && A.offset(outside).is_none());
            outside.add(ARENA).write(1);
            A.dealloc(outside, big);
        }
    }
}
