//! How many premises each IRIS (outside QPV) and each QPV holds, and in which order they are written.
//!
//! Inputs: the [`Territory`] and the scale's [`Params`]. Output: an [`Allocation`]: the premises are
//! numbered `0..total` city by city — first the premises of each IRIS outside every QPV, then those of
//! each QPV of the city — in [`Block`]s that a chunk of premises looks up by number.
//!
//! Invariants: the counts add up to the scale's total exactly; `round(share × total)` premises are inside
//! a QPV; an IRIS almost covered by QPV (less than 2 % of its area left) holds no premises outside them.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::scale::{Params, apportion};
use super::territory::Territory;

/// Where the premises of a block stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// In IRIS `i`, outside every QPV.
    Iris(usize),
    /// Inside QPV `k`.
    Qpv(usize),
}

/// A run of consecutive premises in one zone.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    pub zone: Zone,
    pub city: usize,
    /// Number of the block's first premises.
    pub start: u64,
    pub count: u64,
}

/// The premises of the whole territory, by block.
#[derive(Debug)]
pub struct Allocation {
    pub blocks: Vec<Block>,
    pub total: u64,
    /// Premises inside each QPV.
    pub per_qpv: Vec<u64>,
    /// Premises outside QPV in each IRIS.
    pub per_iris: Vec<u64>,
}

impl Allocation {
    /// Shares the scale's premises between IRIS and QPV.
    pub fn build(t: &Territory, p: &Params, rng: &mut ChaCha8Rng) -> Allocation {
        let inside = (p.premises as f64 * p.in_qpv_share).round() as u64;
        let qpv_w: Vec<f64> = t.qpv.iter().map(|q| q.area * rng.random_range(0.8..1.25)).collect();
        let per_qpv = apportion(inside, &qpv_w);
        let iris_w: Vec<f64> = t
            .iris
            .iter()
            .zip(&t.overlaps)
            .map(|(i, o)| {
                let left = i.area - o.iter().map(|(_, a)| a).sum::<f64>();
                if left < 0.02 * i.area { 0.0 } else { i.density * left }
            })
            .collect();
        let per_iris = apportion(p.premises - inside, &iris_w);

        let mut blocks = Vec::with_capacity(t.iris.len() + t.qpv.len());
        let mut start = 0;
        for (c, city) in t.cities.iter().enumerate() {
            let zones =
                (city.first_iris..city.first_iris + city.cells).map(|i| (Zone::Iris(i), per_iris[i])).chain(
                    t.qpv
                        .iter()
                        .enumerate()
                        .filter(|(_, q)| q.city == c)
                        .map(|(k, _)| (Zone::Qpv(k), per_qpv[k])),
                );
            for (zone, count) in zones {
                if count > 0 {
                    blocks.push(Block { zone, city: c, start, count });
                    start += count;
                }
            }
        }
        Allocation { blocks, total: start, per_qpv, per_iris }
    }

    /// Index of the block holding premises number `n` (`n < total`).
    pub fn block_of(&self, n: u64) -> usize {
        self.blocks.partition_point(|b| b.start + b.count <= n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::scale::Scale;
    use crate::synth::{rng, stream};

    #[test]
    fn counts_add_up_and_blocks_are_contiguous() {
        let p = Scale::City.params();
        let t = Territory::build(&p, &mut rng(stream::TERRITORY)).unwrap();
        let a = Allocation::build(&t, &p, &mut rng(stream::ALLOCATION));
        assert_eq!(a.total, 200_000);
        assert_eq!(a.per_qpv.iter().sum::<u64>(), 30_000);
        assert!(a.per_qpv.iter().all(|n| *n > 0));
        let mut next = 0;
        for b in &a.blocks {
            assert_eq!(b.start, next);
            next += b.count;
        }
        assert_eq!(next, a.total);
        assert_eq!(a.block_of(0), 0);
        assert_eq!(a.block_of(a.total - 1), a.blocks.len() - 1);
        let b = a.blocks[3];
        assert_eq!(a.block_of(b.start), 3);
        assert_eq!(a.block_of(b.start + b.count - 1), 3);
    }
}
