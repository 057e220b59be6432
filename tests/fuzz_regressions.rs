//! Findings of the fuzz targets in `fuzz/`, each kept as a test in the normal suite. The
//! fuzzers run on their own (see the README's "Fuzzing"); these make sure what they found stays
//! fixed without them.

use std::time::{Duration, Instant};
use stubborn::model::Method;
use stubborn::route::{Routed, Router};

/// Characters in the long segment.
const LONG: usize = 256 * 1024;

/// fuzz target `route` (on 95dfd90): one long segment against templates with two or three
/// parameters in a segment took time quadratic in its length, because every split point copied
/// the prefix before it (`route::match_parts`): 65,535 copies of `¼` after `/x/` against
/// `/x/{a}.{b}.{c}` moved gigabytes. The server's URI limit (8 KB) keeps a request's share
/// small, but the router itself must stay linear: e1cfcfe matches templated segments with a
/// linear-time regex. A segment of 256 Ki characters would take minutes the old way and takes
/// milliseconds now.
#[test]
fn a_long_segment_against_multi_parameter_templates_routes_in_linear_time() {
    // The route target's own router: templates with several parameters in a segment,
    // overlapping shapes, base paths.
    let templates = [
        "/files/{name}.{ext}",
        "/files/{name}",
        "/files/readme.md",
        "/range/{from}-{to}",
        "/range/{from}-{to}/items/{id}",
        "/{a}{b}",
        "/x/{a}.{b}.{c}",
        "/x/v{major}.{minor}/docs",
        "/ünï/{cödé}~{ß}",
        "/users/{id}/posts/{postId}",
        "/users/me/posts",
    ];
    let base_paths = ["/api/v1".to_string(), "/ünï".to_string()];
    for any_case in [false, true] {
        let router = Router::new(
            templates
                .iter()
                .enumerate()
                .map(|(i, t)| (i, Method::Get, *t)),
            &base_paths,
        )
        .match_any_case(any_case);
        for (prefix, c) in [("/x/", '¼'), ("/files/", '3'), ("/range/", '-')] {
            let path: String = prefix.chars().chain(std::iter::repeat_n(c, LONG)).collect();
            let started = Instant::now();
            let routed = router.route(Method::Get, &path);
            let _ = router.nearest(&path);
            let took = started.elapsed();
            assert!(
                took < Duration::from_secs(2),
                "{prefix}{c}×{LONG} (any case: {any_case}) took {took:?}"
            );
            if prefix == "/range/" {
                // `-` splits the run: a long `from`, a long `to`.
                assert!(matches!(routed, Routed::Found { .. }), "{routed:?}");
            }
        }
    }
}
