//! The jittered grid a city's IRIS are cut from, in Lambert-93 metres.
//!
//! Inputs: the city's frame (origin, cell size, columns, rows) and the territory RNG. Outputs: the grid
//! nodes and the edges between them; a cell's ring is its four edges in turn.
//!
//! Invariants: every edge is built once and shared by the two cells on either side, so the cells tile
//! the city exactly (no gap, no overlap); nodes move by at most 18 % of a cell inside the grid and 8 % on
//! its outline, edge points sideways by at most 6 % of the edge, so every cell stays a simple polygon;
//! every vertex is on the millimetre grid.

use geo::Coord;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::shapes::coord;
use super::territory::City;

const INNER_JITTER: f64 = 0.18;
const OUTLINE_JITTER: f64 = 0.08;
const EDGE_WIGGLE: f64 = 0.06;

/// Appends an edge's points except its last one (the next edge starts there), reversed if asked.
pub fn append(ring: &mut Vec<Coord<f64>>, edge: &[Coord<f64>], reversed: bool) {
    if reversed {
        ring.extend(edge.iter().rev().take(edge.len() - 1));
    } else {
        ring.extend(edge.iter().take(edge.len() - 1));
    }
}

/// Jittered grid nodes, `nodes[row][col]`, rows from the south, on the millimetre grid.
pub fn grid_nodes(rng: &mut ChaCha8Rng, city: &City) -> Vec<Vec<Coord<f64>>> {
    (0..=city.rows)
        .map(|row| {
            (0..=city.cols)
                .map(|col| {
                    let jx = if col == 0 || col == city.cols { OUTLINE_JITTER } else { INNER_JITTER };
                    let jy = if row == 0 || row == city.rows { OUTLINE_JITTER } else { INNER_JITTER };
                    let dx = rng.random_range(-jx..=jx) * city.cell;
                    let dy = rng.random_range(-jy..=jy) * city.cell;
                    coord(
                        city.origin.0 + col as f64 * city.cell + dx,
                        city.origin.1 + row as f64 * city.cell + dy,
                    )
                })
                .collect()
        })
        .collect()
}

/// One grid edge from `a` to `b` with 1–4 intermediate points pushed sideways.
fn wiggly_edge(rng: &mut ChaCha8Rng, a: Coord<f64>, b: Coord<f64>) -> Vec<Coord<f64>> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = dx.hypot(dy);
    let (nx, ny) = (-dy / len, dx / len);
    let k = rng.random_range(1..=4);
    let mut pts = vec![a];
    for j in 1..=k {
        let t = (j as f64 + rng.random_range(-0.15..=0.15)) / (k + 1) as f64;
        let off = rng.random_range(-EDGE_WIGGLE..=EDGE_WIGGLE) * len;
        pts.push(coord(a.x + t * dx + off * nx, a.y + t * dy + off * ny));
    }
    pts.push(b);
    pts
}

pub type Edges = Vec<Vec<Vec<Coord<f64>>>>;

/// Horizontal edges `h[row][col]` and vertical edges `v[col][row]`, each computed once and shared.
pub fn grid_edges(rng: &mut ChaCha8Rng, nodes: &[Vec<Coord<f64>>], city: &City) -> (Edges, Edges) {
    let h = (0..=city.rows)
        .map(|row| (0..city.cols).map(|col| wiggly_edge(rng, nodes[row][col], nodes[row][col + 1])).collect())
        .collect();
    let v = (0..=city.cols)
        .map(|col| (0..city.rows).map(|row| wiggly_edge(rng, nodes[row][col], nodes[row + 1][col])).collect())
        .collect();
    (h, v)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn edges_join_their_nodes_and_append_drops_the_shared_end() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let (a, b) = (coord(0.0, 0.0), coord(1_000.0, 0.0));
        let e = wiggly_edge(&mut rng, a, b);
        assert!((3..=6).contains(&e.len()));
        assert_eq!((e[0], e[e.len() - 1]), (a, b));
        assert!(e.iter().all(|c| c.y.abs() <= 60.0 + 1e-9), "wiggle within 6 %");
        let mut ring = Vec::new();
        append(&mut ring, &e, false);
        append(&mut ring, &e, true);
        assert_eq!(ring.len(), 2 * (e.len() - 1));
        assert_eq!((ring[0], ring[e.len() - 1]), (a, b));
    }
}
