//! Numbers and integers within `minimum`/`maximum`/`exclusive*`, `multipleOf` and `format`.
//!
//! Multiples are built exactly: every `multipleOf` is read as a decimal (`0.01` is `1/100`),
//! scaled to integers, combined with a least common multiple, and the result is written back
//! as a decimal string before becoming an `f64`. So `multipleOf: 0.1` gives `0.3`, never
//! `0.30000000000000004`, and the validator's decimal reading agrees.

use super::faker::{number_window, Kind};
use super::kw::as_f64;
use super::validate::{decimal_parts, is_multiple_of};
use super::{Conj, Gen, GenError, Hint, Ptr};
use serde_json::{Number, Value};

/// The admissible interval.
#[derive(Clone, Copy, Debug)]
struct Bounds {
    lo: f64,
    lo_excl: bool,
    hi: f64,
    hi_excl: bool,
}

impl Bounds {
    fn admits(&self, x: f64) -> bool {
        let above = if self.lo_excl {
            x > self.lo
        } else {
            x >= self.lo
        };
        let below = if self.hi_excl {
            x < self.hi
        } else {
            x <= self.hi
        };
        above && below
    }

    fn raise(&mut self, v: f64, excl: bool) {
        if v > self.lo || (v == self.lo && excl) {
            self.lo = v;
            self.lo_excl = excl;
        }
    }

    fn lower(&mut self, v: f64, excl: bool) {
        if v < self.hi || (v == self.hi && excl) {
            self.hi = v;
            self.hi_excl = excl;
        }
    }

    /// A window of `[lo, hi]` near the natural range `[nlo, nhi]`: their intersection, or a
    /// stretch of the bounds next to it.
    fn window(&self, nlo: f64, nhi: f64) -> (f64, f64) {
        let span = (nhi - nlo).abs().max(10.0);
        let (a, z) = (self.lo.max(nlo), self.hi.min(nhi));
        if a <= z {
            (a, z)
        } else if nhi < self.lo {
            (self.lo, self.hi.min(self.lo + span))
        } else {
            (self.lo.max(self.hi - span), self.hi)
        }
    }
}

impl<'a, 'r> Gen<'a, 'r> {
    /// A number (`integer`: an integer; `integral_ok`: integers are acceptable results).
    pub(super) fn gen_number(
        &mut self,
        conj: &Conj<'a>,
        hint: Hint<'a>,
        integer: bool,
        integral_ok: bool,
    ) -> Result<Value, GenError> {
        let mut b = Bounds {
            lo: f64::NEG_INFINITY,
            lo_excl: false,
            hi: f64::INFINITY,
            hi_excl: false,
        };
        let mut blame: Option<Ptr> = None;
        let mut mults: Vec<(f64, Ptr)> = Vec::new();
        for p in &conj.parts {
            let k = self.kws[p.kw as usize];
            let legacy_lo = super::kw::is_true(k.exclusive_minimum());
            let legacy_hi = super::kw::is_true(k.exclusive_maximum());
            let before = (b.lo, b.hi);
            if let Some(v) = as_f64(k.minimum()) {
                b.raise(v, legacy_lo);
            }
            if let Some(v) = as_f64(k.exclusive_minimum()) {
                b.raise(v, true);
            }
            if let Some(v) = as_f64(k.maximum()) {
                b.lower(v, legacy_hi);
            }
            if let Some(v) = as_f64(k.exclusive_maximum()) {
                b.lower(v, true);
            }
            if let Some(f) = k.format().and_then(Value::as_str) {
                let (flo, fhi) = match f {
                    "int8" => (-128.0, 127.0),
                    "uint8" => (0.0, 255.0),
                    "int16" => (-32768.0, 32767.0),
                    "uint16" => (0.0, 65535.0),
                    "int32" => (-2_147_483_648.0, 2_147_483_647.0),
                    "uint32" => (0.0, 4_294_967_295.0),
                    "int64" => (-9_223_372_036_854_775_808.0, 9_223_372_036_854_775_807.0),
                    "uint64" => (0.0, 18_446_744_073_709_551_615.0),
                    "float" => (f64::from(f32::MIN), f64::from(f32::MAX)),
                    _ => (f64::NEG_INFINITY, f64::INFINITY),
                };
                b.raise(flo, false);
                b.lower(fhi, false);
            }
            if before != (b.lo, b.hi) {
                blame = Some(p.ptr);
            }
            if let Some(v) = k.multiple_of() {
                let at = self.at_key(p.ptr, "multipleOf");
                match v.as_f64() {
                    Some(x) if x > 0.0 && x.is_finite() => mults.push((x, at)),
                    _ => return Err(self.err(at, "`multipleOf` must be a positive number")),
                }
            }
        }
        let at = blame.unwrap_or(conj.at);
        if b.lo > b.hi || (b.lo == b.hi && (b.lo_excl || b.hi_excl)) {
            return Err(self.err(
                at,
                format!(
                    "the bounds leave no number (minimum {} / maximum {})",
                    b.lo, b.hi
                ),
            ));
        }
        if integer && b.hi.floor() < b.lo.ceil() {
            return Err(self.err(at, "no integer lies within the bounds"));
        }
        let (nlo, nhi, decimals) = self.natural(hint, integer);
        let result = if integer || !mults.is_empty() {
            self.lattice_number(b, &mults, integer, integral_ok, nlo, nhi)
        } else {
            self.float_number(b, nlo, nhi, decimals, integral_ok)
        };
        if hint.kind == Kind::Id {
            self.next_id = self.next_id.saturating_add(self.between(1, 3));
        }
        result.ok_or_else(|| {
            let at = mults.first().map_or(at, |(_, p)| *p);
            self.err(
                at,
                "no number satisfies the bounds and `multipleOf` together",
            )
        })
    }

    /// The range a value "naturally" falls in, from the name, and decimals for non-integers.
    fn natural(&mut self, hint: Hint<'a>, integer: bool) -> (f64, f64, u32) {
        match hint.kind {
            Kind::Id => {
                let id = self.next_id as f64;
                (id, id, 0)
            }
            Kind::Created | Kind::Updated | Kind::Timestamp | Kind::Future | Kind::Birthday => {
                let mut t = self.instant_for(hint.kind) as f64;
                if hint
                    .name
                    .is_some_and(|n| n.ends_with("Ms") || n.ends_with("_ms") || n.contains("illis"))
                {
                    t *= 1000.0;
                }
                (t, t, 0)
            }
            kind => number_window(kind).unwrap_or(if integer {
                (0.0, 100.0, 0)
            } else {
                (0.0, 1000.0, 2)
            }),
        }
    }

    /// A number from the bounds' window rounded to `decimals` places (more if the window is
    /// too narrow).
    fn float_number(
        &mut self,
        b: Bounds,
        nlo: f64,
        nhi: f64,
        decimals: u32,
        integral_ok: bool,
    ) -> Option<Value> {
        let (wlo, whi) = b.window(nlo, nhi);
        for attempt in 0..12u32 {
            let x = self.rng_f64(wlo, whi);
            let r = round_to(x, (decimals + attempt / 3).min(15));
            if b.admits(r) && (integral_ok || r.fract() != 0.0) {
                return Number::from_f64(r).map(Value::Number);
            }
        }
        let mid = wlo / 2.0 + whi / 2.0;
        for candidate in [mid, round_to(mid, 6), wlo, whi] {
            if b.admits(candidate) && (integral_ok || candidate.fract() != 0.0) {
                return Number::from_f64(candidate).map(Value::Number);
            }
        }
        None
    }

    /// A value `k × step` (`step` the exact least common multiple of every `multipleOf`, and
    /// of 1 for integers) within the bounds.
    fn lattice_number(
        &mut self,
        b: Bounds,
        mults: &[(f64, Ptr)],
        integer: bool,
        integral_ok: bool,
        nlo: f64,
        nhi: f64,
    ) -> Option<Value> {
        let mut places: i32 = 0;
        let mut read = Vec::with_capacity(mults.len());
        for &(m, _) in mults {
            let (mant, dec) = decimal_parts(m)?;
            places = places.max(dec);
            read.push((mant, dec));
        }
        if places > 18 {
            return None;
        }
        let scale = 10_i128.pow(places as u32);
        let mut step: i128 = 1;
        for (mant, dec) in read {
            let scaled =
                mant.checked_mul(10_i128.checked_pow(u32::try_from(places - dec).ok()?)?)?;
            step = lcm(step, scaled)?;
        }
        if integer {
            step = lcm(step, scale)?;
        }
        let unit = step as f64 / scale as f64;
        let k_lo = if b.lo.is_finite() {
            (b.lo / unit).ceil()
        } else {
            -1e30
        };
        let k_hi = if b.hi.is_finite() {
            (b.hi / unit).floor()
        } else {
            1e30
        };
        let (k_lo, k_hi) = (k_lo.max(-1e30), k_hi.min(1e30));
        let (wlo, mut whi) = ((nlo / unit).ceil(), (nhi / unit).floor());
        if wlo > whi {
            whi = wlo;
        }
        let span = (whi - wlo).max(10.0);
        let (wlo, whi) = if wlo.max(k_lo) <= whi.min(k_hi) {
            (wlo.max(k_lo), whi.min(k_hi))
        } else if whi < k_lo {
            (k_lo, k_hi.min(k_lo + span))
        } else {
            (k_lo.max(k_hi - span), k_hi)
        };
        if wlo > whi {
            return None;
        }
        let k = if wlo == whi {
            wlo as i128
        } else {
            use rand::RngExt;
            self.rng.random_range(wlo as i128..=whi as i128)
        };
        for delta in [0i128, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6] {
            let Some(kk) = k.checked_add(delta) else {
                continue;
            };
            let Some(v) = lattice_value(kk, step, places) else {
                continue;
            };
            let Value::Number(n) = &v else { continue };
            let Some(f) = n.as_f64() else { continue };
            let integral = super::validate::is_integer(n);
            // Built exactly from decimal text; only values beyond f64's 15 exact digits need
            // the (formatting-heavy) multiple check.
            let exact = kk
                .checked_mul(step)
                .is_some_and(|raw| raw.unsigned_abs() < 1_000_000_000_000_000);
            if b.admits(f)
                && (!integer || integral)
                && (integral_ok || !integral)
                && (exact || mults.iter().all(|(m, _)| is_multiple_of(n, *m)))
            {
                return Some(v);
            }
        }
        None
    }
}

/// `k × step / 10^places` as a JSON number: an integer when whole, else the decimal's `f64`.
fn lattice_value(k: i128, step: i128, places: i32) -> Option<Value> {
    let n = k.checked_mul(step)?;
    let scale = 10_i128.checked_pow(places as u32)?;
    if n % scale == 0 {
        let whole = n / scale;
        return Some(if let Ok(i) = i64::try_from(whole) {
            Value::from(i)
        } else if let Ok(u) = u64::try_from(whole) {
            Value::from(u)
        } else {
            Value::Number(Number::from_f64(whole as f64)?)
        });
    }
    let sign = if n < 0 { "-" } else { "" };
    let abs = n.unsigned_abs();
    let scale = scale as u128;
    let text = format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = places as usize
    );
    let f: f64 = text.parse().ok()?;
    Number::from_f64(f).map(Value::Number)
}

/// `x` rounded to `places` decimals, via its decimal text so no binary artefacts remain.
fn round_to(x: f64, places: u32) -> f64 {
    format!("{x:.prec$}", prec = places as usize)
        .parse()
        .unwrap_or(x)
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

fn lcm(a: i128, b: i128) -> Option<i128> {
    if a == 0 || b == 0 {
        return None;
    }
    (a / gcd(a, b)).checked_mul(b)?.checked_abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lattice_values_are_clean_decimals() {
        assert_eq!(lattice_value(3, 1, 1), Some(serde_json::json!(0.3)));
        assert_eq!(lattice_value(1999, 1, 2), Some(serde_json::json!(19.99)));
        assert_eq!(lattice_value(-5, 1, 2), Some(serde_json::json!(-0.05)));
        assert_eq!(lattice_value(40, 5, 1), Some(serde_json::json!(20)));
        assert_eq!(round_to(0.1 + 0.2, 2), 0.3);
    }

    #[test]
    fn lcm_combines() {
        assert_eq!(lcm(4, 6), Some(12));
        assert_eq!(lcm(i128::MAX, 2), None);
    }
}
