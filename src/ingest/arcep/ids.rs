//! Building ids by hash: an open-addressing table of row indices (4 bytes a slot) over the ids, packed
//! part by part ([`IdPart`]: no `String` per id, no polars view until the ingest is done). Built
//! once, in file order (a later duplicate is the one reported), then read by the eligibility parsers
//! in parallel.

use polars::prelude::{StringChunked, StringChunkedBuilder};

/// A fast 64-bit hash of a short byte string (ids are ~20 bytes), well mixed in every bit.
pub fn hash(b: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (b.len() as u64).wrapping_mul(K);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(K).rotate_left(29);
    }
    // murmur3's finaliser
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The ids of one chunk of buildings, packed: their bytes end to end and where each ends (24 bytes an
/// id of 20 nationally, against 36 as polars string views, while the eligibility file streams).
#[derive(Default)]
pub struct IdPart {
    bytes: Vec<u8>,
    ends: Vec<u32>,
}

impl IdPart {
    pub fn with_capacity(ids: usize, bytes: usize) -> Self {
        IdPart { bytes: Vec::with_capacity(bytes), ends: Vec::with_capacity(ids) }
    }

    pub fn push(&mut self, id: &str) {
        self.bytes.extend_from_slice(id.as_bytes());
        self.ends.push(u32::try_from(self.bytes.len()).unwrap_or(u32::MAX));
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Gives back what the capacity guess reserved beyond the ids (kept for the whole ingest).
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The bytes of id `k` (empty past the end).
    pub fn get(&self, k: usize) -> &[u8] {
        let start = if k == 0 { 0 } else { self.ends.get(k - 1).map_or(0, |e| *e as usize) };
        let end = self.ends.get(k).map_or(start, |e| *e as usize);
        self.bytes.get(start..end).unwrap_or_default()
    }

    /// The ids as a polars string chunk (each was pushed as a `&str`).
    pub fn to_chunk(&self, name: &str) -> StringChunked {
        let mut out = StringChunkedBuilder::new(name.into(), self.len());
        for k in 0..self.len() {
            out.append_value(std::str::from_utf8(self.get(k)).unwrap_or_default());
        }
        out.finish()
    }
}

/// The ids of the buildings, part by part, addressed by global row index.
#[derive(Default)]
pub struct IdColumn {
    pub parts: Vec<IdPart>,
    /// Global index of each part's first row.
    starts: Vec<u32>,
    len: u32,
}

impl IdColumn {
    pub fn push(&mut self, part: IdPart) {
        self.starts.push(self.len);
        self.len += u32::try_from(part.len()).unwrap_or(u32::MAX);
        self.parts.push(part);
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes of the id of row `i`.
    pub fn get(&self, i: u32) -> &[u8] {
        let c = self.starts.partition_point(|&s| s <= i) - 1;
        self.parts[c].get((i - self.starts[c]) as usize)
    }
}

/// Row index by id: slots of `(tag << 32) | row`, the tag being the high half of the id's hash (one cache
/// line touched per probe; the id itself compared only when the tags agree).
pub struct IdTable {
    slots: Vec<u64>,
    len: usize,
}

const FREE: u64 = u64::MAX;

impl Default for IdTable {
    fn default() -> Self {
        Self::new()
    }
}

impl IdTable {
    pub fn new() -> Self {
        Self::with_capacity(1 << 15)
    }

    /// A table that holds `n` ids without growing.
    pub fn with_capacity(n: usize) -> Self {
        let slots = (n.saturating_mul(10) / 7).next_power_of_two().max(1 << 10);
        IdTable { slots: vec![FREE; slots], len: 0 }
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// Registers row `len()` (the next row) with hash `h`; `Err(row)` when an equal id is already there
    /// (`same(row)` tells whether that row's id is this one). Rows are numbered in insertion order.
    pub fn insert(&mut self, h: u64, same: impl Fn(u32) -> bool) -> Result<(), u32> {
        if (self.len + 1) * 10 > self.slots.len() * 7 {
            self.grow();
        }
        let tag = h >> 32;
        let row = self.len as u64;
        self.len += 1;
        let mask = self.mask();
        let mut pos = tag as usize & mask;
        loop {
            let s = self.slots[pos];
            if s == FREE {
                self.slots[pos] = (tag << 32) | row;
                return Ok(());
            }
            if s >> 32 == tag && same(s as u32) {
                return Err(s as u32); // the row keeps its number, unmatched: the read fails anyway
            }
            pos = (pos + 1) & mask;
        }
    }

    pub fn get(&self, h: u64, same: impl Fn(u32) -> bool) -> Option<u32> {
        let tag = h >> 32;
        let mask = self.mask();
        let mut pos = tag as usize & mask;
        loop {
            let s = self.slots[pos];
            if s == FREE {
                return None;
            }
            if s >> 32 == tag && same(s as u32) {
                return Some(s as u32);
            }
            pos = (pos + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let mut slots = vec![FREE; self.slots.len() * 2];
        let mask = slots.len() - 1;
        for &s in self.slots.iter().filter(|&&s| s != FREE) {
            let mut pos = (s >> 32) as usize & mask;
            while slots[pos] != FREE {
                pos = (pos + 1) & mask;
            }
            slots[pos] = s;
        }
        self.slots = slots;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails loudly on a broken invariant")]
mod tests {
    use super::*;

    #[test]
    fn duplicates_found_and_every_id_found_again() {
        let ids: Vec<String> = (0..200_000).map(|i| format!("IMB/99001/S/{i:08}")).collect();
        let mut t = IdTable::new();
        for id in &ids {
            t.insert(hash(id.as_bytes()), |r| ids[r as usize] == *id).unwrap();
        }
        assert_eq!(t.insert(hash(ids[7].as_bytes()), |r| ids[r as usize] == ids[7]), Err(7));
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(t.get(hash(id.as_bytes()), |r| ids.get(r as usize) == Some(id)), Some(i as u32));
        }
        assert_eq!(
            t.get(hash(b"IMB/nope"), |r| ids.get(r as usize).map(String::as_str) == Some("IMB/nope")),
            None
        );
    }
}
