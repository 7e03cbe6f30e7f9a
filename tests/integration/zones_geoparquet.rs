//! Zones as GeoParquet for `fracture join --zones` and `fracture interpolate --source/--target`
//! (`spatial::geoparquet`): the package's own `qpv_indicators.parquet` gives the same answers as its
//! GeoJSON twin; a file in Lambert-93 (PROJJSON `crs`) gives the geopandas reference counts; bad files
//! are rejected with exit code 3, naming the file and the row.

use std::path::Path;

use fracture::publish::geometry::wkb_multipolygon;
use fracture::spatial::crs::{Crs, Reprojector};
use fracture::spatial::geojson::parse_zones;
use polars::prelude::*;

use crate::support::{project_root, workdir};

fn fracture(args: &[&str], dir: &Path) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fracture"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run fracture");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn root(rel: &str) -> String {
    project_root().join(rel).to_string_lossy().into_owned()
}

const PACKAGE: &str = "reports/demo/2026-Q3/datasets/qpv_indicators";

/// A GeoParquet file of `ids` and `wkb` rows with `geo` as its metadata (none when `None`).
fn write_geoparquet(path: &Path, ids: &[&str], wkb: Vec<Option<Vec<u8>>>, geo: Option<&str>) {
    let mut df = DataFrame::new_infer_height(vec![
        Column::new("code".into(), ids),
        BinaryChunked::from_iter_options("geometry".into(), wkb.into_iter()).into_column(),
    ])
    .unwrap();
    let kv = geo.map(|g| KeyValueMetadata::from_static(vec![("geo".into(), g.to_string())]));
    ParquetWriter::new(std::fs::File::create(path).unwrap())
        .with_key_value_metadata(kv)
        .finish(&mut df)
        .unwrap();
}

fn geo(crs: &str) -> String {
    format!(
        r#"{{"version":"1.1.0","primary_column":"geometry","columns":{{"geometry":{{"encoding":"WKB","geometry_types":["MultiPolygon"]{crs}}}}}}}"#
    )
}

#[test]
fn the_package_geoparquet_counts_and_interpolates_like_its_geojson() {
    let tmp = workdir();
    let d = tmp.path();
    let buildings = root("data/demo/arcep/2026_T3/immeubles_dep999.csv");
    let mut outputs = Vec::new();
    for ext in ["geojson", "parquet"] {
        let zones = root(&format!("{PACKAGE}.{ext}"));
        let counts = d.join(format!("counts_{ext}.csv")).to_string_lossy().into_owned();
        let (code, err) = fracture(
            &[
                "join",
                "--points",
                &buildings,
                "--x",
                "imb_longitude",
                "--y",
                "imb_latitude",
                "--points-crs",
                "EPSG:3857",
                "--zones",
                &zones,
                "--zone-id",
                "area_code",
                "--out",
                &counts,
            ],
            d,
        );
        assert_eq!(code, 0, "{err}");
        let line = err
            .lines()
            .find(|l| l.starts_with("join:"))
            .unwrap()
            .split("; wrote")
            .next()
            .unwrap()
            .to_string();
        let interpolated = d.join(format!("interpolated_{ext}.csv")).to_string_lossy().into_owned();
        let (code, err) = fracture(
            &[
                "interpolate",
                "--source",
                &zones,
                "--source-id",
                "area_code",
                "--target",
                &root(&format!("{PACKAGE}.geojson")),
                "--target-id",
                "area_code",
                "--extensive",
                "population,premises",
                "--out",
                &interpolated,
            ],
            d,
        );
        assert_eq!(code, 0, "{err}");
        outputs.push((
            std::fs::read_to_string(&counts).unwrap(),
            line,
            std::fs::read_to_string(&interpolated).unwrap(),
        ));
    }
    assert_eq!(outputs[0].0, outputs[1].0, "same counts per QPV");
    assert_eq!(outputs[0].1, outputs[1].1);
    assert_eq!(outputs[0].2, outputs[1].2, "same interpolation");
    assert_eq!(outputs[1].0.lines().count(), 12, "11 QPV and the header:\n{}", outputs[1].0);
    let total: u64 =
        outputs[1].0.lines().skip(1).map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap()).sum();
    assert!(total > 0 && outputs[1].1.contains(&format!("{total} in the 11 zones")), "{}", outputs[1].1);
}

/// The committed spatial fixture's zones written as GeoParquet in Lambert-93, the CRS as PROJJSON:
/// the same counts as geopandas (`expected_counts.csv`). Without the `crs` key the same metres would be
/// read as OGC:CRS84 degrees and rejected.
#[test]
fn a_geoparquet_in_lambert93_gives_the_reference_counts() {
    let tmp = workdir();
    let d = tmp.path();
    let text = std::fs::read_to_string(root("tests/fixtures/spatial/zones.geojson")).unwrap();
    let z = parse_zones(Path::new("zones.geojson"), &text, "code", None, Crs::Lambert93, &Reprojector::new())
        .unwrap();
    let ids: Vec<&str> = z.ids.iter().map(String::as_str).collect();
    let wkb = || z.geometries.iter().map(|g| Some(wkb_multipolygon(g))).collect::<Vec<_>>();
    let projjson = r#","crs":{"$schema":"https://proj.org/schemas/v0.7/projjson.schema.json","type":"ProjectedCRS","name":"RGF93 v1 / Lambert-93","id":{"authority":"EPSG","code":2154}}"#;
    let zones = d.join("zones_l93.parquet");
    write_geoparquet(&zones, &ids, wkb(), Some(&geo(projjson)));
    let out = d.join("counts.csv");
    let args = |zones: &Path| {
        vec![
            "join".to_string(),
            "--points".into(),
            root("tests/fixtures/spatial/points.csv"),
            "--zones".into(),
            zones.to_string_lossy().into_owned(),
            "--zone-id".into(),
            "code".into(),
            "--out".into(),
            out.to_string_lossy().into_owned(),
        ]
    };
    let a = args(&zones);
    let (code, err) = fracture(&a.iter().map(String::as_str).collect::<Vec<_>>(), d);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(root("tests/fixtures/spatial/expected_counts.csv")).unwrap()
    );
    let unlabelled = d.join("zones_no_crs.parquet");
    write_geoparquet(&unlabelled, &ids, wkb(), Some(&geo("")));
    let a = args(&unlabelled);
    let (code, err) = fracture(&a.iter().map(String::as_str).collect::<Vec<_>>(), d);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("zones_no_crs.parquet") && err.contains("row 1 (") && err.contains("EPSG:4326"),
        "{err}"
    );
}

/// (file name, WKB per row, `geo` metadata, fragments the message must hold).
type BadCase = (&'static str, Vec<Option<Vec<u8>>>, Option<String>, Vec<&'static str>);

#[test]
fn bad_geoparquet_files_are_rejected_naming_the_file_and_the_row() {
    let tmp = workdir();
    let d = tmp.path();
    let square = |x: f64| {
        let ring = geo::LineString::from(vec![
            (x, 48.0),
            (x + 0.01, 48.0),
            (x + 0.01, 48.01),
            (x, 48.01),
            (x, 48.0),
        ]);
        wkb_multipolygon(&geo::MultiPolygon(vec![geo::Polygon::new(ring, vec![])]))
    };
    let point: Vec<u8> = [&[1u8, 1, 0, 0, 0][..], &2.0f64.to_le_bytes(), &48.0f64.to_le_bytes()].concat();
    let cases: Vec<BadCase> = vec![
        (
            "no_geo_metadata.parquet",
            vec![Some(square(2.0))],
            None,
            vec!["no `geo` metadata", "not a GeoParquet file"],
        ),
        (
            "wrong_geometry_type.parquet",
            vec![Some(square(2.0)), Some(point)],
            Some(geo("")),
            vec!["row 2 (B)", "column geometry", "a WKB Point, not a Polygon or MultiPolygon"],
        ),
        (
            "bad_wkb.parquet",
            vec![Some(square(2.0)[..30].to_vec()), Some(square(2.1))],
            Some(geo("")),
            vec!["row 1 (A)", "column geometry", "truncated WKB"],
        ),
        (
            "null_geometry.parquet",
            vec![Some(square(2.0)), None],
            Some(geo("")),
            vec!["row 2 (B)", "column geometry", "found null"],
        ),
        (
            "point_types.parquet",
            vec![Some(square(2.0)), Some(square(2.1))],
            Some(geo("").replace("[\"MultiPolygon\"]", "[\"Point\"]")),
            vec!["geometry_types lists \"Point\""],
        ),
    ];
    for (name, wkb, metadata, expect) in cases {
        let path = d.join(name);
        write_geoparquet(&path, &["A", "B"][..wkb.len()], wkb, metadata.as_deref());
        let (code, err) = fracture(
            &[
                "join",
                "--points",
                &root("tests/fixtures/spatial/points.csv"),
                "--zones",
                &path.to_string_lossy(),
                "--zone-id",
                "code",
                "--out",
                &d.join("out.csv").to_string_lossy(),
            ],
            d,
        );
        assert_eq!(code, 3, "{name}: {err}");
        assert!(err.contains(name), "{name}: {err}");
        for e in expect {
            assert!(err.contains(e), "{name}: {e:?} not in {err}");
        }
        assert!(!d.join("out.csv").exists(), "{name}: nothing written");
    }
}

/// A zone repaired on reading (an unclosed ring with a repeated position) is used, and the command says
/// so on stderr, naming the file and the row.
#[test]
fn a_repaired_zone_is_used_and_reported() {
    let tmp = workdir();
    let d = tmp.path();
    // Around the fixture's points (Lambert-93), as a ring the writer left open, with (x0, y0) twice.
    let (x0, y0, x1, y1) = (1_048_000.0, 6_838_000.0, 1_050_000.0, 6_840_000.0);
    let mut wkb = vec![1u8, 3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0];
    for (x, y) in [(x0, y0), (x0, y0), (x1, y0), (x1, y1), (x0, y1)] {
        wkb.extend(f64::to_le_bytes(x));
        wkb.extend(f64::to_le_bytes(y));
    }
    let zones = d.join("open_ring.parquet");
    write_geoparquet(&zones, &["A"], vec![Some(wkb)], Some(&geo(r#","crs":"EPSG:2154""#)));
    let out = d.join("counts.csv");
    let (code, err) = fracture(
        &[
            "join",
            "--points",
            &root("tests/fixtures/spatial/points.csv"),
            "--zones",
            &zones.to_string_lossy(),
            "--zone-id",
            "code",
            "--out",
            &out.to_string_lossy(),
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "open_ring.parquet: row 1 (A): geometry.coordinates (polygon 0, ring 0): unclosed ring closed"
        ),
        "{err}"
    );
    assert!(
        err.contains("row 1 (A): geometry.coordinates: 1 consecutive repeated position(s) removed"),
        "{err}"
    );
    let counts = std::fs::read_to_string(&out).unwrap();
    assert!(counts.starts_with("code,count\nA,") && !counts.contains("A,0\n"), "{counts}");
}
