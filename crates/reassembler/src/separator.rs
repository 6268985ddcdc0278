//! Where the separators of a record body are: bitmaps of spaces and `=`,
//! 64 bytes at a time.
//!
//! The tokenizer asks "where is the next space / `=` / non-space at or
//! after this position"; answering from a bitmap costs a shift and a
//! trailing-zero count, with no per-byte loop whose exit the CPU would
//! mispredict at every field. On x86_64 a block's bitmaps come from SSE2
//! compares (part of the x86_64 baseline); elsewhere from a byte loop.
//!
//! The bitmaps of up to [`WINDOW`] blocks are computed in one pass when the
//! cursor is made (a record body nearly always fits): that pass also counts
//! the `=` (an upper bound of the fields, to size the record's allocation)
//! and notices any 0x1D (the ENRICHED separator), so the parser needs no
//! other pass over the body. Every bitmap has a bit set at the end of the
//! range, in all classes: a search never runs past it and "not found" is
//! simply the end. The last, partial block is read as the fewest 16-byte
//! chunks that end at the range's end (shifted down), so no byte is copied;
//! only a range ending too close to the start of its buffer for that is
//! copied into a zeroed block.

/// One kind of separator to look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// `' '`.
    Space,
    /// Anything but `' '`.
    NonSpace,
    /// `'='` or `' '`.
    EqualsOrSpace,
}

const BLOCK: usize = 64;

/// Blocks whose bitmaps are held at once (512 bytes of text).
pub(crate) const WINDOW: usize = 8;

/// The bitmaps of one block, each with the end-of-range bit (if the end
/// falls in this block) set.
#[derive(Clone, Copy, Debug, Default)]
struct Masks {
    nonspace: u64,
    space: u64,
    eq_or_space: u64,
}

impl Masks {
    #[inline(always)]
    fn get(&self, class: Class) -> u64 {
        match class {
            Class::Space => self.space,
            Class::NonSpace => self.nonspace,
            Class::EqualsOrSpace => self.eq_or_space,
        }
    }
}

/// What the first pass of [`Cursor::new`] saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Whether the window covers the whole range (else the counts below are
    /// only for its first [`WINDOW`] blocks).
    pub complete: bool,
    /// Number of `'='` bytes seen.
    pub equals: usize,
    /// Whether a 0x1D byte was seen.
    pub group_separator: bool,
}

/// Separator bitmaps over `buf[start..end]`, [`WINDOW`] blocks at a time.
#[derive(Clone, Debug)]
pub(crate) struct Cursor<'a> {
    /// The input, cut at the end of the range.
    buf: &'a [u8],
    /// Start of the range: block `i` covers `base + 64 * i ..`.
    base: usize,
    /// Index of the block in `masks[0]`; [`NOT_LOADED`] before any.
    first: usize,
    /// Position of the first byte of `masks[0]`'s block (`base + 64 *
    /// first`, wrapping when not loaded): `(pos - origin) / 64` is the
    /// window slot.
    origin: usize,
    masks: [Masks; WINDOW],
}

/// `Cursor::first` before the first fill: far from any block index, so
/// every search goes to the slow path, which fills.
const NOT_LOADED: usize = usize::MAX / 2;

impl<'a> Cursor<'a> {
    /// Searches `buf[start..end]` (positions are offsets into `buf`; `end`
    /// is the end of the search). `start <= end <= buf.len()`. Nothing is
    /// loaded yet: [`Cursor::scan`] makes the first pass (else the first
    /// search does).
    #[inline(always)]
    pub fn new(buf: &'a [u8], start: usize, end: usize) -> Self {
        Cursor {
            buf: &buf[..end],
            base: start.min(end),
            first: NOT_LOADED,
            origin: NOT_LOADED.wrapping_mul(BLOCK),
            masks: [Masks::default(); WINDOW],
        }
    }

    /// Loads the first [`WINDOW`] blocks and says what they contain.
    /// (Separate from `new` so the caller's cursor is filled in place.)
    #[inline]
    pub fn scan(&mut self) -> Summary {
        self.fill(0)
    }

    /// The first position `>= pos` of a byte of `class`, or the end of the
    /// range if there is none. `start <= pos <= end`.
    #[inline(always)]
    pub fn next(&mut self, pos: usize, class: Class) -> usize {
        let off = pos.wrapping_sub(self.origin);
        let i = off / BLOCK;
        if let Some(m) = self.masks.get(i) {
            let mask = m.get(class) >> (off % BLOCK);
            if mask != 0 {
                return pos + mask.trailing_zeros() as usize;
            }
            // Values often cross into the next block.
            if let Some(n) = self.masks.get(i + 1) {
                let mask = n.get(class);
                if mask != 0 {
                    return pos - off % BLOCK + BLOCK + mask.trailing_zeros() as usize;
                }
            }
        }
        self.next_slow(pos, class)
    }

    /// The key of the next field when it is simple: from `pos`, the next
    /// non-space byte, then a non-empty run up to a `'='`, all within one
    /// loaded block. Returns `(key_start, key_end, spaces)`: `key_end` at
    /// the `'='`, and the space bitmap of that block from `key_end + 1` on
    /// (bit 0 = `key_end + 1`; 0 when the block ends first), so an unquoted
    /// value ending in the same block needs no other lookup. `None`: the
    /// caller takes the general path from `pos` (nothing has changed).
    #[inline(always)]
    pub fn simple_key(&self, pos: usize) -> Option<(usize, usize, u64)> {
        let off = pos.wrapping_sub(self.origin);
        let m = self.masks.get(off / BLOCK)?;
        let shift = off % BLOCK;
        let nonspace = m.nonspace >> shift;
        if nonspace == 0 {
            return None;
        }
        let ks = shift + nonspace.trailing_zeros() as usize;
        let sep = m.eq_or_space >> ks;
        if sep == 0 {
            return None;
        }
        let ke = ks + sep.trailing_zeros() as usize;
        // Not an empty key, and a '=' rather than a space or the end (whose
        // bit is set in `space`).
        if ke == ks || (m.space >> ke) & 1 != 0 {
            return None;
        }
        let spaces = m.space.checked_shr(ke as u32 + 1).unwrap_or(0);
        let block_start = pos - shift;
        Some((block_start + ks, block_start + ke, spaces))
    }

    /// [`Cursor::next`] past the current block, refilling the window.
    #[inline(never)]
    fn next_slow(&mut self, pos: usize, class: Class) -> usize {
        let end = self.buf.len();
        if pos >= end || pos < self.base {
            return end;
        }
        let rel = pos - self.base;
        let mut block = rel / BLOCK;
        let mut shift = rel % BLOCK;
        loop {
            if block < self.first || block >= self.first + WINDOW {
                self.fill(block);
            }
            let mask = self.masks[block - self.first].get(class) >> shift;
            if mask != 0 {
                // At most the end bit of the last block.
                return (self.base + block * BLOCK + shift + mask.trailing_zeros() as usize)
                    .min(end);
            }
            if self.base + (block + 1) * BLOCK > end {
                // The last block, whose end bit is below `shift`: cannot
                // happen for `pos <= end`; answer the end all the same.
                return end;
            }
            block += 1;
            shift = 0;
        }
    }

    /// Loads blocks `first..first + WINDOW` (those that start at or before
    /// the end) and returns what they contain.
    fn fill(&mut self, first: usize) -> Summary {
        let buf = self.buf;
        let end = buf.len();
        let mut equals = 0;
        let mut group = 0u32;
        self.first = first;
        self.origin = self.base + first * BLOCK;
        // Whole blocks first (their bounds known to the compiler), then the
        // last, partial one if the window reaches it.
        let mut blocks = buf
            .get(self.origin..)
            .unwrap_or_default()
            .chunks_exact(BLOCK);
        let mut filled = 0;
        for (slot, block) in self.masks.iter_mut().zip(blocks.by_ref()) {
            let Some(block) = block.first_chunk::<BLOCK>() else {
                break;
            };
            let BlockBits {
                masks: [space, eq],
                group: gs,
                equals: n,
            } = block_masks(block);
            equals += n as usize;
            group |= gs;
            *slot = Masks {
                nonspace: !space,
                space,
                eq_or_space: space | eq,
            };
            filled += 1;
        }
        let complete = match self.masks.get_mut(filled) {
            Some(slot) => {
                // The last block: `avail` (0..64) bytes, then the end bit.
                let avail = blocks.remainder().len();
                let BlockBits {
                    masks: [space, eq],
                    group: gs,
                    equals: n,
                } = tail_masks(buf, end, avail);
                let bit = 1u64 << avail;
                equals += n as usize;
                group |= gs;
                *slot = Masks {
                    nonspace: !space | bit,
                    space: space | bit,
                    eq_or_space: space | eq | bit,
                };
                true
            }
            None => false,
        };
        Summary {
            complete: complete && first == 0,
            equals,
            group_separator: group != 0,
        }
    }
}

/// Bitmaps of the `avail` (< 64) bytes before `end` in `buf`, bit 0 for
/// `end - avail`; higher bits are 0. The 0x1D flag may also come from the
/// bytes before them (a false alarm costs the caller a search, no error).
#[inline(always)]
fn tail_masks(buf: &[u8], end: usize, avail: usize) -> BlockBits {
    const NONE: BlockBits = BlockBits {
        masks: [0; 2],
        group: 0,
        equals: 0,
    };
    if avail == 0 {
        return NONE;
    }
    // The fewest whole 16-byte chunks that end at `end` and cover the
    // `avail` bytes (a body's last block is half full on average: reading
    // all 64 bytes cost two chunks more).
    let width = avail.next_multiple_of(16);
    match end.checked_sub(width).and_then(|s| buf.get(s..end)) {
        // Shift out the bytes before the range.
        Some(last) => {
            let (masks, group) = chunk_masks(last);
            let masks = masks.map(|m| m >> (width - avail));
            BlockBits {
                masks,
                group,
                equals: masks[1].count_ones(),
            }
        }
        None => {
            // Fewer bytes than that in the whole buffer: copy them (the zero
            // padding matches nothing).
            let mut block = [0u8; BLOCK];
            block[..avail].copy_from_slice(&buf[end - avail..end]);
            block_masks(&block)
        }
    }
}

/// The space and `'='` bitmaps (bit i = byte i) of `bytes`, whose length is
/// a multiple of 16 up to 64 (anything past 64 bytes is ignored, a partial
/// last chunk too), and a non-zero flag if they hold a 0x1D byte.
#[cfg(target_arch = "x86_64")]
#[inline]
fn chunk_masks(bytes: &[u8]) -> ([u64; 2], u32) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_setzero_si128,
    };
    let mut out = [0u64; 2];
    // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are
    // always available; each unaligned load reads the 16 bytes of one
    // `chunks_exact(16)` chunk (in bounds, initialized).
    let group = unsafe {
        let space = _mm_set1_epi8(b' ' as i8);
        let equals = _mm_set1_epi8(b'=' as i8);
        let group = _mm_set1_epi8(0x1D);
        let mut any = _mm_setzero_si128();
        for (i, chunk) in bytes.chunks_exact(16).take(BLOCK / 16).enumerate() {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let shift = i * 16;
            out[0] |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, space)) as u16) << shift;
            out[1] |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, equals)) as u16) << shift;
            any = _mm_or_si128(any, _mm_cmpeq_epi8(v, group));
        }
        _mm_movemask_epi8(any) as u32
    };
    (out, group)
}

/// The space and `'='` bitmaps of `bytes` (see the x86_64 version).
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn chunk_masks(bytes: &[u8]) -> ([u64; 2], u32) {
    portable_chunk_masks(bytes)
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn portable_chunk_masks(bytes: &[u8]) -> ([u64; 2], u32) {
    let n = bytes.len().min(BLOCK) / 16 * 16;
    let mut out = [0u64; 2];
    let mut group = 0u32;
    for (i, &b) in bytes[..n].iter().enumerate() {
        out[0] |= u64::from(b == b' ') << i;
        out[1] |= u64::from(b == b'=') << i;
        group |= u32::from(b == 0x1D);
    }
    (out, group)
}

/// Number of `'='` bytes in `buf`: an upper bound of the fields in it
/// (every field has its own), used to size a record's allocation when the
/// cursor's first pass did not cover the whole body.
pub(crate) fn count_equals(buf: &[u8]) -> usize {
    let mut chunks = buf.chunks_exact(BLOCK);
    let mut n = 0;
    for chunk in chunks.by_ref() {
        if let Some(chunk) = chunk.first_chunk::<BLOCK>() {
            n += block_masks(chunk).equals as usize;
        }
    }
    let rest = chunks.remainder().len();
    n + tail_masks(buf, buf.len(), rest).equals as usize
}

/// What [`block_masks`] finds in 64 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BlockBits {
    /// Bitmaps (bit i = byte i) of `' '` and `'='`.
    masks: [u64; 2],
    /// Non-zero if the block holds a 0x1D byte.
    group: u32,
    /// Number of `'='` (the popcount of `masks[1]`, counted with vector
    /// adds: x86_64's baseline has no `popcnt`).
    equals: u32,
}

/// The separators of a 64-byte block.
#[cfg(target_arch = "x86_64")]
#[inline]
fn block_masks(chunk: &[u8; BLOCK]) -> BlockBits {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi64, _mm_cmpeq_epi8, _mm_cvtsi128_si32, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_sad_epu8, _mm_set1_epi8, _mm_setzero_si128,
        _mm_srli_si128, _mm_sub_epi8,
    };
    let mut out = [0u64; 2];
    // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are
    // always available; each unaligned load reads 16 bytes at offset
    // 0/16/32/48 of a 64-byte array (in bounds, initialized).
    let (group, equals) = unsafe {
        let space = _mm_set1_epi8(b' ' as i8);
        let equals = _mm_set1_epi8(b'=' as i8);
        let group = _mm_set1_epi8(0x1D);
        let zero = _mm_setzero_si128();
        let mut any = zero;
        // Per byte lane: how many of the four chunks have '=' there (0..=4).
        let mut count = zero;
        for i in 0..BLOCK / 16 {
            let v = _mm_loadu_si128(chunk.as_ptr().add(i * 16).cast::<__m128i>());
            let shift = i * 16;
            let eq = _mm_cmpeq_epi8(v, equals);
            count = _mm_sub_epi8(count, eq);
            out[0] |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, space)) as u16) << shift;
            out[1] |= u64::from(_mm_movemask_epi8(eq) as u16) << shift;
            any = _mm_or_si128(any, _mm_cmpeq_epi8(v, group));
        }
        // Sum the 16 lanes: two 8-lane sums, then add the halves.
        let sums = _mm_sad_epu8(count, zero);
        let total = _mm_add_epi64(sums, _mm_srli_si128::<8>(sums));
        (
            _mm_movemask_epi8(any) as u32,
            _mm_cvtsi128_si32(total) as u32,
        )
    };
    BlockBits {
        masks: out,
        group,
        equals,
    }
}

/// The separators of a 64-byte block.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn block_masks(chunk: &[u8; BLOCK]) -> BlockBits {
    portable_block_masks(chunk)
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn portable_block_masks(chunk: &[u8; BLOCK]) -> BlockBits {
    let mut out = [0u64; 2];
    let mut group = 0u32;
    for (i, &b) in chunk.iter().enumerate() {
        out[0] |= u64::from(b == b' ') << i;
        out[1] |= u64::from(b == b'=') << i;
        group |= u32::from(b == 0x1D);
    }
    BlockBits {
        masks: out,
        group,
        equals: out[1].count_ones(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLASSES: [Class; 3] = [Class::Space, Class::NonSpace, Class::EqualsOrSpace];

    /// The first byte of `class` in `buf[pos..end]`, else `end`.
    fn plain(buf: &[u8], pos: usize, end: usize, class: Class) -> usize {
        (pos..end)
            .find(|&i| {
                let b = buf[i];
                match class {
                    Class::Space => b == b' ',
                    Class::NonSpace => b != b' ',
                    Class::EqualsOrSpace => b == b'=' || b == b' ',
                }
            })
            .unwrap_or(end)
    }

    fn check(buf: &[u8], start: usize, end: usize) {
        let summary = Cursor::new(buf, start, end).scan();
        let range = &buf[start..end];
        let blocks = (end - start) / BLOCK + 1;
        assert_eq!(summary.complete, blocks <= WINDOW, "{start}..{end}");
        let seen = &range[..range.len().min(WINDOW * BLOCK)];
        assert_eq!(
            summary.equals,
            seen.iter().filter(|&&b| b == b'=').count(),
            "{start}..{end}"
        );
        // No 0x1D missed (a false alarm from the bytes just before the
        // range is allowed: the parser then searches for it).
        if seen.contains(&0x1D) {
            assert!(summary.group_separator, "{start}..{end}");
        }
        if !buf[start.saturating_sub(BLOCK)..end].contains(&0x1D) {
            assert!(!summary.group_separator, "{start}..{end}");
        }
        assert_eq!(
            count_equals(range),
            range.iter().filter(|&&b| b == b'=').count()
        );
        // A simple key is what the general searches find.
        let mut c = Cursor::new(buf, start, end);
        c.scan();
        for pos in start..=end {
            if let Some((ks, ke, spaces)) = c.simple_key(pos) {
                assert_eq!(ks, plain(buf, pos, end, Class::NonSpace));
                assert_eq!(ke, plain(buf, ks, end, Class::EqualsOrSpace));
                assert!(
                    ke > ks && ke < end && buf[ke] == b'=',
                    "{start}..{end} {pos}"
                );
                if spaces != 0 {
                    // The next space (or the end) after the '=', in the block.
                    let v = ke + 1;
                    let found = v + spaces.trailing_zeros() as usize;
                    assert_eq!(
                        found,
                        plain(buf, v, end, Class::Space),
                        "{start}..{end} {pos}"
                    );
                }
            }
        }
        for class in CLASSES {
            // Forward-only use, as the tokenizer does, plus fresh cursors.
            let mut c = Cursor::new(buf, start, end);
            if class == Class::Space {
                // Lazily filled (no scan) must answer the same.
                c.scan();
            }
            for pos in start..=end {
                let expect = plain(buf, pos, end, class);
                assert_eq!(c.next(pos, class), expect, "{start}..{end} {pos} {class:?}");
                let mut fresh = Cursor::new(buf, start, end);
                assert_eq!(fresh.next(pos, class), expect);
            }
        }
    }

    #[test]
    fn agrees_with_a_plain_scan() {
        let pattern = b"ab= \"cd  e=\"\"f \x1d";
        let buf: Vec<u8> = (0..1300)
            .map(|i| pattern[(i * 7 + i / 13) % pattern.len()])
            .collect();
        // Ranges ending before byte 64 of the buffer (the copied tail),
        // after it (the shifted last block), on a block boundary, and
        // longer than the window (refills).
        for start in [0, 1, 17, 63, 64, 65] {
            for len in [
                0, 1, 5, 15, 16, 17, 47, 63, 64, 65, 127, 128, 200, 511, 512, 513, 1100,
            ] {
                if start + len <= buf.len() {
                    check(&buf, start, start + len);
                }
            }
        }
    }

    #[test]
    fn a_range_ending_at_the_end_of_its_allocation() {
        // Exactly sized allocations: nothing past the slice is ever read
        // (the tail block is the 64 bytes that end at the range's end, or a
        // copy), whatever the length modulo 16 and 64.
        for len in [
            1usize, 7, 16, 31, 63, 64, 65, 100, 128, 129, 4095, 4096, 4097,
        ] {
            let text: Box<[u8]> = (0..len)
                .map(|i| {
                    if i % 5 == 4 {
                        b' '
                    } else {
                        b'a' + (i % 3) as u8
                    }
                })
                .collect::<Vec<u8>>()
                .into_boxed_slice();
            for start in [0, len / 2, len - 1] {
                check(&text, start, len);
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
        assert_eq!(Cursor::new(&b, 0, 1000).next(0, Class::Space), 1000);
        b[777] = b' ';
        assert_eq!(Cursor::new(&b, 0, 1000).next(3, Class::Space), 777);
        assert_eq!(Cursor::new(&b, 0, 1000).next(3, Class::NonSpace), 3);
        assert_eq!(Cursor::new(&b, 0, 700).next(3, Class::Space), 700);
    }

    #[test]
    fn portable_masks_match() {
        let mut chunk = [b'a'; BLOCK];
        for (i, c) in chunk.iter_mut().enumerate() {
            *c = [b' ', b'=', b'"', b'x', 0xff, 0x1d][i % 6];
        }
        assert_eq!(
            block_masks(&chunk).masks,
            portable_block_masks(&chunk).masks
        );
        assert_eq!(block_masks(&chunk).equals, 11);
        assert_eq!(portable_block_masks(&chunk).equals, 11);
        assert_ne!(block_masks(&chunk).group, 0);
        assert_ne!(portable_block_masks(&chunk).group, 0);
        for (i, c) in chunk.iter_mut().enumerate() {
            if i % 6 == 5 {
                *c = b'y';
            }
        }
        assert_eq!(block_masks(&chunk).group, 0);
        assert_eq!(portable_block_masks(&chunk).group, 0);
        assert_eq!(block_masks(&chunk), portable_block_masks(&chunk));
        // Every block of '=' counts 64 (four chunks in every byte lane).
        assert_eq!(block_masks(&[b'='; BLOCK]).equals, 64);
    }

    #[test]
    fn chunk_masks_match_for_every_width() {
        let bytes: Vec<u8> = (0..64)
            .map(|i| [b' ', b'=', b'"', b'x', 0xff, 0x1d, b'='][(i * 5 + i / 7) % 7])
            .collect();
        for width in [0, 16, 32, 48, 64] {
            for skip in 0..16 {
                let slice = &bytes[skip..skip + width.min(64 - skip) / 16 * 16];
                let (masks, group) = chunk_masks(slice);
                let (pm, pg) = portable_chunk_masks(slice);
                assert_eq!(masks, pm, "{width} {skip}");
                assert_eq!(group != 0, pg != 0, "{width} {skip}");
                assert_eq!(group != 0, slice.contains(&0x1d), "{width} {skip}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_ranges_agree(
            buf in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just(b' '), proptest::strategy::Just(b'='),
                proptest::strategy::Just(b'"'), proptest::strategy::Just(0x1d),
                proptest::arbitrary::any::<u8>(),
            ], 0..700),
            a in 0usize..700,
            b in 0usize..700,
        ) {
            let (start, end) = (a.min(b).min(buf.len()), a.max(b).min(buf.len()));
            check(&buf, start, end);
        }
    }
}
