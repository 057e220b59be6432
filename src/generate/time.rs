//! Calendar arithmetic for generated dates, without the wall clock.
//!
//! Generated timestamps cluster around a reference instant derived from the seed, so the same
//! seed gives the same bodies tomorrow as today (a mock that changes its dates on every restart
//! makes snapshot tests flaky).

use chrono::{DateTime, Datelike, SecondsFormat};

/// 2024-01-01T00:00:00Z: reference instants fall in the year after this.
const REFERENCE_BASE: i64 = 1_704_067_200;

pub(crate) const MINUTE: i64 = 60;
pub(crate) const HOUR: i64 = 60 * MINUTE;
pub(crate) const DAY: i64 = 24 * HOUR;

/// The reference "now" for `seed`: a whole minute within 2024, fixed for the seed.
pub(crate) fn reference_instant(seed: u64) -> i64 {
    let spread = (365 * DAY / MINUTE) as u64;
    REFERENCE_BASE + (splitmix64(seed) % spread) as i64 * MINUTE
}

/// SplitMix64, a fixed bijective scramble so nearby seeds give unrelated reference dates.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Clamps to years 0001–9999 so every instant prints as a valid RFC 3339 date.
fn clamp(secs: i64) -> i64 {
    secs.clamp(CLAMP.0, CLAMP.1)
}

/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z in seconds.
const CLAMP: (i64, i64) = (-62_135_596_800, 253_402_300_799);

/// Writes `n` in decimal, zero-padded to fill `buf` (`n` is non-negative and fits, as every
/// field of a clamped instant does).
fn put_digits(buf: &mut [u8], n: i64) {
    let mut n = n.max(0);
    for b in buf.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// `YYYY-MM-DD` of a clamped instant into `buf` (chrono does the calendar; years 0001–9999
/// are always in its range).
fn put_date(buf: &mut [u8], secs: i64) {
    let day = DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .date_naive();
    put_digits(&mut buf[0..4], i64::from(day.year()));
    buf[4] = b'-';
    put_digits(&mut buf[5..7], i64::from(day.month()));
    buf[7] = b'-';
    put_digits(&mut buf[8..10], i64::from(day.day()));
}

/// `HH:MM:SSZ` into `buf`.
fn put_time(buf: &mut [u8], secs: i64) {
    let t = secs.rem_euclid(DAY);
    put_digits(&mut buf[0..2], t / HOUR);
    buf[2] = b':';
    put_digits(&mut buf[3..5], t % HOUR / MINUTE);
    buf[5] = b':';
    put_digits(&mut buf[6..8], t % MINUTE);
    buf[8] = b'Z';
}

/// The ASCII text written into `buf`, as a `String`.
fn ascii(buf: &[u8]) -> String {
    std::str::from_utf8(buf).unwrap_or_default().to_owned()
}

/// `YYYY-MM-DDTHH:MM:SSZ` (built by hand: `format!` was a visible cost per timestamp).
pub(crate) fn date_time(secs: i64) -> String {
    let secs = clamp(secs);
    let mut buf = [0u8; 20];
    put_date(&mut buf[..10], secs);
    buf[10] = b'T';
    put_time(&mut buf[11..], secs);
    ascii(&buf)
}

/// `YYYY-MM-DD`.
pub(crate) fn date(secs: i64) -> String {
    let mut buf = [0u8; 10];
    put_date(&mut buf, clamp(secs));
    ascii(&buf)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` of an instant in milliseconds, clamped to years 0001–9999.
pub(crate) fn date_time_millis(ms: i64) -> String {
    let ms = ms.clamp(CLAMP.0 * 1000, CLAMP.1 * 1000 + 999);
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `HH:MM:SSZ` (RFC 3339 `full-time`, which requires the offset).
pub(crate) fn time(secs: i64) -> String {
    let mut buf = [0u8; 9];
    put_time(&mut buf, secs);
    ascii(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(date_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(date_time(REFERENCE_BASE), "2024-01-01T00:00:00Z");
        assert_eq!(date_time(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(date(1_709_210_096), "2024-02-29");
        assert_eq!(time(3_725), "01:02:05Z");
        assert_eq!(date_time(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(date_time(i64::MIN), "0001-01-01T00:00:00Z");
        assert_eq!(date(-86_400), "1969-12-31");
        assert_eq!(
            date_time_millis(1_709_210_096_789),
            "2024-02-29T12:34:56.789Z"
        );
        assert_eq!(date_time_millis(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(date_time_millis(i64::MAX), "9999-12-31T23:59:59.999Z");
        assert_eq!(date_time_millis(i64::MIN), "0001-01-01T00:00:00.000Z");
    }

    #[test]
    fn reference_instant_is_fixed_per_seed() {
        assert_eq!(reference_instant(1), reference_instant(1));
        assert_ne!(reference_instant(1), reference_instant(2));
        assert!(date_time(reference_instant(42)).starts_with("2024-"));
    }
}
