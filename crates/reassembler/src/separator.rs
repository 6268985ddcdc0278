//! Where the separators of a record body are: bitmaps of spaces, `=` and
//! `"`, 64 bytes at a time.
//!
//! The tokenizer asks "where is the next space / `=` / `"` / non-space at or
//! after this position"; answering from a bitmap costs a shift and a
//! trailing-zero count, with no per-byte loop whose exit the CPU would
//! mispredict at every field. On x86_64 a block's bitmaps come from SSE2
//! compares (part of the x86_64 baseline); elsewhere from a byte loop.

/// One kind of separator to look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// `' '`.
    Space,
    /// Anything but `' '`.
    NonSpace,
    /// `'='` or `' '`.
    EqualsOrSpace,
    /// `'"'`.
    DoubleQuote,
}

const BLOCK: usize = 64;

/// Bitmaps of the current 64-byte block of `buf`.
#[derive(Clone, Debug)]
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    /// Offset of the loaded block; `usize::MAX` before the first load.
    block: usize,
    space: u64,
    equals: u64,
    quote: u64,
}

impl<'a> Cursor<'a> {
    /// Searches `buf` (positions are offsets into it; the end of `buf` is
    /// the end of the search).
    pub fn new(buf: &'a [u8]) -> Self {
        Cursor {
            buf,
            block: usize::MAX,
            space: 0,
            equals: 0,
            quote: 0,
        }
    }

    /// The first position `>= pos` (and before the end) of a byte of `class`.
    #[inline(always)]
    pub fn next(&mut self, mut pos: usize, class: Class) -> Option<usize> {
        while pos < self.buf.len() {
            let block = pos & !(BLOCK - 1);
            if block != self.block {
                self.load(block);
            }
            let mask = match class {
                Class::Space => self.space,
                Class::NonSpace => !self.space,
                Class::EqualsOrSpace => self.space | self.equals,
                Class::DoubleQuote => self.quote,
            } >> (pos - block);
            if mask != 0 {
                let found = pos + mask.trailing_zeros() as usize;
                // Padding past the end reads as non-space.
                return (found < self.buf.len()).then_some(found);
            }
            pos = block + BLOCK;
        }
        None
    }

    fn load(&mut self, block: usize) {
        let [space, equals, quote] = match self.buf.get(block..block + BLOCK) {
            Some(full) => match <&[u8; BLOCK]>::try_from(full) {
                Ok(chunk) => block_masks(chunk),
                Err(_) => [0; 3],
            },
            None => {
                // The last, partial block: zero padding matches nothing but
                // NonSpace, which `next` cuts at the end.
                let mut chunk = [0u8; BLOCK];
                let end = self.buf.len();
                chunk[..end - block].copy_from_slice(&self.buf[block..end]);
                block_masks(&chunk)
            }
        };
        self.block = block;
        self.space = space;
        self.equals = equals;
        self.quote = quote;
    }
}

/// Number of `'='` bytes in `buf`: an upper bound of the fields in it
/// (every field has its own), used to size a record's allocation.
pub(crate) fn count_equals(buf: &[u8]) -> usize {
    let mut chunks = buf.chunks_exact(BLOCK);
    let mut n = 0;
    for chunk in chunks.by_ref() {
        if let Ok(chunk) = <&[u8; BLOCK]>::try_from(chunk) {
            n += block_masks(chunk)[1].count_ones() as usize;
        }
    }
    n + chunks.remainder().iter().filter(|&&b| b == b'=').count()
}

/// Bitmaps (bit i = byte i) of `' '`, `'='` and `'"'` in a block.
#[cfg(target_arch = "x86_64")]
#[inline]
fn block_masks(chunk: &[u8; BLOCK]) -> [u64; 3] {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let mut out = [0u64; 3];
    // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are
    // always available; each unaligned load reads 16 bytes at offset
    // 0/16/32/48 of a 64-byte array.
    unsafe {
        let space = _mm_set1_epi8(b' ' as i8);
        let equals = _mm_set1_epi8(b'=' as i8);
        let quote = _mm_set1_epi8(b'"' as i8);
        for i in 0..BLOCK / 16 {
            let v = _mm_loadu_si128(chunk.as_ptr().add(i * 16).cast::<__m128i>());
            let shift = i * 16;
            out[0] |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, space)) as u16) << shift;
            out[1] |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, equals)) as u16) << shift;
            out[2] |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) as u16) << shift;
        }
    }
    out
}

/// Bitmaps (bit i = byte i) of `' '`, `'='` and `'"'` in a block.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn block_masks(chunk: &[u8; BLOCK]) -> [u64; 3] {
    portable_block_masks(chunk)
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn portable_block_masks(chunk: &[u8; BLOCK]) -> [u64; 3] {
    let mut out = [0u64; 3];
    for (i, &b) in chunk.iter().enumerate() {
        out[0] |= u64::from(b == b' ') << i;
        out[1] |= u64::from(b == b'=') << i;
        out[2] |= u64::from(b == b'"') << i;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(buf: &[u8], pos: usize, class: Class) -> Option<usize> {
        buf.iter().enumerate().skip(pos).find_map(|(i, &b)| {
            let hit = match class {
                Class::Space => b == b' ',
                Class::NonSpace => b != b' ',
                Class::EqualsOrSpace => b == b'=' || b == b' ',
                Class::DoubleQuote => b == b'"',
            };
            hit.then_some(i)
        })
    }

    #[test]
    fn agrees_with_a_plain_scan() {
        let pattern = b"ab= \"cd  e=\"\"f ";
        let buf: Vec<u8> = (0..300)
            .map(|i| pattern[(i * 7 + i / 13) % pattern.len()])
            .collect();
        for len in [0, 1, 5, 63, 64, 65, 127, 128, 200, 300] {
            let b = &buf[..len];
            for class in [
                Class::Space,
                Class::NonSpace,
                Class::EqualsOrSpace,
                Class::DoubleQuote,
            ] {
                let mut c = Cursor::new(b);
                // Forward-only use, as the tokenizer does, plus fresh cursors.
                for pos in 0..=len + 2 {
                    assert_eq!(
                        c.next(pos, class),
                        plain(b, pos, class),
                        "{len} {pos} {class:?}"
                    );
                    assert_eq!(Cursor::new(b).next(pos, class), plain(b, pos, class));
                }
            }
        }
    }

    #[test]
    fn counts_equals() {
        for len in [0, 3, 64, 100, 300] {
            let b: Vec<u8> = (0..len)
                .map(|i| if i % 3 == 0 { b'=' } else { b'k' })
                .collect();
            assert_eq!(count_equals(&b), b.iter().filter(|&&c| c == b'=').count());
        }
    }

    #[test]
    fn long_runs_without_a_match() {
        let mut b = vec![b'x'; 1000];
        assert_eq!(Cursor::new(&b).next(0, Class::Space), None);
        b[777] = b' ';
        assert_eq!(Cursor::new(&b).next(3, Class::Space), Some(777));
        assert_eq!(Cursor::new(&b).next(3, Class::NonSpace), Some(3));
    }

    #[test]
    fn portable_masks_match() {
        let mut chunk = [b'a'; BLOCK];
        for (i, c) in chunk.iter_mut().enumerate() {
            *c = [b' ', b'=', b'"', b'x', 0xff][i % 5];
        }
        assert_eq!(block_masks(&chunk), portable_block_masks(&chunk));
    }
}
