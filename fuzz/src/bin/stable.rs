//! A fuzzer for the stable toolchain: no coverage feedback, just the seed corpus mutated fast.
//!
//! ```text
//! cargo run --release --manifest-path fuzz/Cargo.toml --bin stable -- TARGET [--seconds 600] [--seed N]
//! cargo run --release --manifest-path fuzz/Cargo.toml --bin stable -- TARGET FILE...   # replay
//! ```
//!
//! Loads `fuzz/corpus/TARGET/`, mutates inputs (bit flips, byte inserts and deletes, splicing,
//! duplicated chunks, interesting numbers and strings), calls the target under `catch_unwind`,
//! and writes each input that panics (first per panic location) to
//! `fuzz/artifacts/TARGET/crash-HASH`, and each that takes over 2 s to `slow-HASH`.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use stubborn_fuzz::{DEEP, MAX_INPUT, TARGETS};

/// Where the last panic happened and what it said (the hook records it instead of printing).
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

/// Whether a target is running: a panic anywhere else is the runner's own and is reported as
/// usual.
static IN_TARGET: AtomicBool = AtomicBool::new(false);

/// Numbers and strings worth trying anywhere (the target's dictionary is added to them).
#[rustfmt::skip]
const INTERESTING: &[&str] = &[
    "", "0", "-1", "-0", "1e999", "NaN", "18446744073709551615", "18446744073709551616",
    "-9223372036854775809", "99999999999999999999999999", "0..18446744073709551615", "9.9e-400",
    "é", "ß", "ü", "€", "😀", "\u{10FFFF}", "\u{0}", "\r\n", "\n\n", "%", "%ff", "%C3", "%00",
    "%2F", "{", "}", "{x}", "{{request.body.a}}", "{{request.query.q}}", "{{$guid}}", "[", "]",
    "[]", "{}", "..", "/", "//", "?", "&", "=", ";", ",", "|", " ", "\"", "'", "\\", "~1", "#",
    "$ref", "#/components", "null", "true", "*/*", "application/json", "text/plain",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=b", "--b\r\n",
    "Content-Disposition: form-data; name=\"a\"\r\n\r\n", "charset=utf-16", "a[b][c]=1",
    "deepObject", "Prefer: code=404", "Prefer: delay=1", "Authorization: Basic Og==",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, pool: &[Vec<u8>], tokens: &[Vec<u8>]) {
    for _ in 0..1 + rng.below(4) {
        let len = input.len();
        let at = rng.below(len + 1);
        match rng.below(12) {
            0 if len > 0 => input[at.min(len - 1)] ^= 1 << rng.below(8),
            1 if len > 0 => input[at.min(len - 1)] = rng.next() as u8,
            2 => input.insert(at, rng.next() as u8),
            3 if len > 0 => {
                let end = (at + 1 + rng.below(16)).min(len);
                input.drain(at.min(len - 1)..end);
            }
            4 if len > 0 => {
                // Duplicate a chunk, sometimes many times over.
                let start = rng.below(len);
                let end = (start + 1 + rng.below(64)).min(len);
                let chunk = input[start..end].to_vec();
                let most = if rng.below(8) == 0 { 200 } else { 3 };
                for _ in 0..1 + rng.below(most) {
                    input.splice(at..at, chunk.iter().copied());
                }
            }
            5 => {
                // Splice: our head, another input's tail.
                let other = &pool[rng.below(pool.len())];
                let from = rng.below(other.len() + 1);
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            }
            6..=9 => {
                let s = &tokens[rng.below(tokens.len())];
                if rng.below(2) == 0 {
                    // Replace a run of digits or letters around `at`, else insert.
                    let word = |b: &u8| b.is_ascii_alphanumeric();
                    let mut start = at.min(len);
                    while start > 0 && word(&input[start - 1]) {
                        start -= 1;
                    }
                    let mut end = at.min(len);
                    while end < len && word(&input[end]) {
                        end += 1;
                    }
                    input.splice(start..end, s.iter().copied());
                } else {
                    input.splice(at..at, s.iter().copied());
                }
            }
            10 => input.truncate(at),
            _ if len > 0 => {
                // Copy a chunk over another place (keeps the length, unlike inserts).
                let from = rng.below(len);
                let n = 1 + rng.below((len - from).min(32));
                let chunk = input[from..from + n].to_vec();
                let to = rng.below(len);
                let end = (to + n).min(len);
                input.splice(to..end, chunk);
            }
            _ => input.push(rng.next() as u8),
        }
    }
    input.truncate(MAX_INPUT);
}

/// The tokens of a libFuzzer dictionary: one `"token"` a line (`\\`, `\"` and `\xNN` escapes),
/// optionally `name=` before it, `#` comments.
fn dictionary(text: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let (Some(open), Some(close)) = (
            line.iter().position(|&b| b == b'"'),
            line.iter().rposition(|&b| b == b'"'),
        ) else {
            continue;
        };
        if line.first() == Some(&b'#') || close <= open {
            continue;
        }
        let mut token = Vec::new();
        let mut raw = line[open + 1..close].iter().copied();
        while let Some(b) = raw.next() {
            if b != b'\\' {
                token.push(b);
                continue;
            }
            match raw.next() {
                Some(b'x') => {
                    let hex: Vec<u8> = raw.by_ref().take(2).collect();
                    let hex = std::str::from_utf8(&hex).unwrap_or("");
                    token.extend(u8::from_str_radix(hex, 16).ok());
                }
                Some(other) => token.push(other),
                None => {}
            }
        }
        out.push(token);
    }
    out
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Runs the target once; `Err(where and what)` when it panicked.
fn run(target: fn(&[u8]), input: &[u8]) -> Result<(), String> {
    IN_TARGET.store(true, Ordering::SeqCst);
    let result = panic::catch_unwind(AssertUnwindSafe(|| target(input)));
    IN_TARGET.store(false, Ordering::SeqCst);
    result.map_err(|_| LAST_PANIC.lock().map(|s| s.clone()).unwrap_or_default())
}

fn save(dir: &Path, kind: &str, input: &[u8]) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let path = dir.join(format!("{kind}-{:016x}", fnv(input)));
    if let Err(e) = std::fs::write(&path, input) {
        eprintln!("cannot write {}: {e}", path.display());
    }
    path
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: stable TARGET [--seconds N] [--seed N] | stable TARGET FILE...";
    let Some(name) = args.first() else {
        eprintln!("{usage}\ntargets: load, route, params, body");
        std::process::exit(2);
    };
    let Some(&(_, target)) = TARGETS.iter().find(|(n, _)| n == name) else {
        eprintln!("unknown target {name}; {usage}");
        std::process::exit(2);
    };
    let (mut seconds, mut seed, mut files) = (600u64, None, Vec::new());
    let mut rest = args[1..].iter();
    while let Some(a) = rest.next() {
        let mut number = || rest.next().and_then(|v| v.parse::<u64>().ok());
        match a.as_str() {
            "--seconds" => seconds = number().unwrap_or(seconds),
            "--seed" => seed = number(),
            file => files.push(PathBuf::from(file)),
        }
    }
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !IN_TARGET.load(Ordering::SeqCst) {
            return default_hook(info);
        }
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = format!("{at}: {msg}");
        }
    }));
    if !files.is_empty() {
        let mut failed = false;
        for f in &files {
            let data = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let started = Instant::now();
            let result = run(target, &data);
            println!("{}: {:?} in {:?}", f.display(), result, started.elapsed());
            failed |= result.is_err();
        }
        std::process::exit(i32::from(failed));
    }

    let fuzz_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let artifacts = fuzz_dir.join("artifacts").join(name);
    let mut pool: Vec<Vec<u8>> = std::fs::read_dir(fuzz_dir.join("corpus").join(name))
        .map(|dir| {
            dir.filter_map(|e| std::fs::read(e.ok()?.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    if pool.is_empty() {
        pool.push(Vec::new());
    }
    let seeds = pool.len();
    let mut tokens: Vec<Vec<u8>> = INTERESTING.iter().map(|s| s.as_bytes().to_vec()).collect();
    let dict = fuzz_dir.join("dict").join(format!("{name}.dict"));
    tokens.extend(
        std::fs::read(&dict)
            .map(|d| dictionary(&d))
            .unwrap_or_default(),
    );
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    println!("target {name}: {seeds} seeds, {seconds} s, --seed {seed}");
    let mut rng = Rng(seed | 1);
    // Seeds first, unmutated: a seed that panics is a finding too.
    let (mut execs, mut crashes, mut slow) = (0u64, 0u64, 0u64);
    let mut seen: Vec<String> = Vec::new();
    let started = Instant::now();
    let mut report = started;
    let deadline = started + Duration::from_secs(seconds);
    while Instant::now() < deadline {
        let mut input = if (execs as usize) < seeds {
            pool[execs as usize].clone()
        } else {
            let mut i = pool[rng.below(pool.len())].clone();
            mutate(&mut rng, &mut i, &pool, &tokens);
            i
        };
        input.truncate(MAX_INPUT);
        let deep_before = DEEP.load(Ordering::Relaxed);
        let t = Instant::now();
        let result = run(target, &input);
        let took = t.elapsed();
        execs += 1;
        if let Err(what) = result {
            crashes += 1;
            let place = what.split(": ").next().unwrap_or("").to_string();
            if !seen.contains(&place) {
                let path = save(&artifacts, "crash", &input);
                println!(
                    "CRASH #{crashes} after {execs} execs: {what}\n  input: {}",
                    path.display()
                );
                seen.push(place);
            }
        } else if took > Duration::from_secs(2) {
            slow += 1;
            let path = save(&artifacts, "slow", &input);
            println!("SLOW ({took:?}): {}", path.display());
        } else if DEEP.load(Ordering::Relaxed) > deep_before && rng.below(16) == 0 {
            // No coverage to tell what is new: keep some mutants that still got past the first
            // gate (a document that loads, a request that routes) to go deeper from there.
            if pool.len() < seeds + 4096 {
                pool.push(input);
            } else {
                let i = seeds + rng.below(pool.len() - seeds);
                pool[i] = input;
            }
        }
        if report.elapsed() > Duration::from_secs(30) {
            report = Instant::now();
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{:>5.0} s: {execs} execs ({:.0}/s, {} deep), {crashes} crashes ({} distinct), {slow} slow, pool {}",
                secs,
                execs as f64 / secs,
                DEEP.load(Ordering::Relaxed),
                seen.len(),
                pool.len()
            );
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "done: target {name}, --seed {seed}, {execs} execs in {secs:.0} s ({:.0}/s, {} deep), {crashes} crashes ({} distinct), {slow} slow",
        execs as f64 / secs,
        DEEP.load(Ordering::Relaxed),
        seen.len()
    );
    std::process::exit(i32::from(crashes > 0));
}
