//! The spatial engine: plain geometries in, zone indices and weights out. It knows nothing of QPV,
//! IRIS or ARCEP; `join` (the pipeline) and `commands` (`fracture join --points`, `fracture
//! interpolate`) are its users.
//!
//! - [`crs`]: EPSG:4326, 3857, 2154 and 3035; conversions (proj4rs), CRS names, coordinates whose
//!   range contradicts their declared CRS
//! - [`index`]: point in polygon — an R-tree over zone parts, one point or a chunk of points at a time
//!   (rayon); **the boundary rule** (zones are closed; a shared point goes to the lowest zone index)
//! - [`overlay`]: areal interpolation — the exact overlap table of sources and targets, area and
//!   dasymetric (point-weighted) allocations, extensive and intensive estimates, remainder outside the
//!   targets, uncertainty per target
//! - [`clip`]: the area of the intersection of two multipolygons in float64 (boundary integral, robust
//!   predicates), where geo's `BooleanOps` snaps to a grid
//! - [`repair`]: validation and repair of each feature's rings as read (orientation, closure,
//!   repeated positions, spikes, empty parts, rings touching or crossing themselves), every repair
//!   reported, what cannot be repaired safely rejected; [`valid`]: the OGC checks it rests on
//! - [`geojson`]: zones with their ids from a GeoJSON FeatureCollection (RFC 7946, legacy `crs`
//!   member honoured), every problem of every feature reported together; [`geoparquet`]: the same from
//!   a GeoParquet file (WKB decoded by [`wkb`], CRS from the `geo` metadata's PROJJSON)
//!
//! Invariants: answers are indices into the caller's lists (`u32` per point), never codes; results
//! never depend on the number of threads or on how points are chunked.

pub mod clip;
pub mod crs;
pub mod geojson;
pub mod geoparquet;
pub mod index;
pub mod overlay;
pub mod repair;
pub mod valid;
pub mod wkb;
