//! Bounded loopback load test: 50 concurrent clients × 200 calls mixing reads (list_skills,
//! get_settings) and writes (create_skill / update_skill_tags / delete_skill on per-client
//! names). Asserts 0 errors and prints throughput and latency percentiles.

use crate::common;
use serde_json::json;
use std::time::{Duration, Instant};

const CLIENTS: usize = 50;
const CALLS: usize = 200;

#[tokio::test(flavor = "multi_thread")]
async fn load_50x200() {
    let h = common::start().await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let client = h.client.clone();
        let base = h.base.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(CALLS);
            let mut errors = Vec::new();
            let name = format!("load-{c}");
            for i in 0..CALLS {
                // Every 10 calls: 1 create, 2 tag updates, 1 delete, 6 reads (40 % writes).
                let (cmd, args) = match i % 10 {
                    0 => ("create_skill", json!({"name": name, "tags": ["load"]})),
                    3 | 6 => (
                        "update_skill_tags",
                        json!({"skillName": name, "tags": [format!("t{i}"), "load"]}),
                    ),
                    9 => ("delete_skill", json!({"name": name})),
                    1 | 4 | 7 => ("list_skills", json!({})),
                    _ => ("get_settings", json!({})),
                };
                let t = Instant::now();
                let r = client
                    .post(format!("{base}/api/{cmd}"))
                    .json(&args)
                    .send()
                    .await;
                match r {
                    Ok(r) => {
                        let status = r.status();
                        let body = r.bytes().await;
                        if !status.is_success() || body.is_err() {
                            errors.push(format!(
                                "{cmd}: {status} {}",
                                body.map(|b| String::from_utf8_lossy(&b).to_string())
                                    .unwrap_or_default()
                            ));
                        }
                    }
                    Err(e) => errors.push(format!("{cmd}: {e}")),
                }
                lat.push(t.elapsed());
            }
            (lat, errors)
        }));
    }
    let mut lat: Vec<Duration> = Vec::with_capacity(CLIENTS * CALLS);
    let mut errors = Vec::new();
    for t in tasks {
        let (l, e) = t.await.unwrap();
        lat.extend(l);
        errors.extend(e);
    }
    let elapsed = started.elapsed();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    let total = lat.len();
    println!(
        "load_50x200: {total} calls in {:.2} s = {:.0} calls/s; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} errors",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        lat[total - 1].as_secs_f64() * 1e3,
        errors.len()
    );
    assert_eq!(total, CLIENTS * CALLS);
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    // Every client deleted what it created.
    let (s, b) = h.call("list_skills", json!({})).await;
    assert_eq!((s, b), (200, json!([])));
    h.server.shutdown().await.unwrap();
}
