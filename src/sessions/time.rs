//! Transcript timestamps and `--since`: ISO 8601 instants as milliseconds
//! since the Unix epoch, UTC, without a date library.

/// Milliseconds since 1970-01-01T00:00:00Z.
pub(crate) type Millis = i64;

/// Reads `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.fff]]` (or a
/// space instead of `T`) and `Z` or `±HH:MM`. A time without an offset is
/// UTC. `None` when the text is not such an instant.
pub(crate) fn parse(text: &str) -> Option<Millis> {
    let b = text.trim().as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let part = b.get(from..from + n)?;
        part.iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    let mut at = 10;
    if at == b.len() {
        return Some(millis);
    }
    if !matches!(b[at], b'T' | b't' | b' ') {
        return None;
    }
    let (hour, minute) = (digits(at + 1, 2)?, digits(at + 4, 2)?);
    if b.get(at + 3) != Some(&b':') || hour > 23 || minute > 59 {
        return None;
    }
    millis += (hour * 60 + minute) * 60_000;
    at += 6;
    if b.get(at) == Some(&b':') {
        let second = digits(at + 1, 2)?;
        if second > 60 {
            return None;
        }
        millis += second * 1000;
        at += 3;
        if b.get(at) == Some(&b'.') {
            at += 1;
            let start = at;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            let fraction = &b[start..at];
            if fraction.is_empty() {
                return None;
            }
            let mut ms = 0;
            for k in 0..3 {
                ms = ms * 10 + fraction.get(k).map_or(0, |c| i64::from(c - b'0'));
            }
            millis += ms;
        }
    }
    match b.get(at) {
        None => Some(millis),
        Some(b'Z' | b'z') if at + 1 == b.len() => Some(millis),
        Some(&sign @ (b'+' | b'-')) if at + 6 == b.len() && b[at + 3] == b':' => {
            let offset = (digits(at + 1, 2)? * 60 + digits(at + 4, 2)?) * 60_000;
            Some(if sign == b'+' {
                millis - offset
            } else {
                millis + offset
            })
        }
        _ => None,
    }
}

/// `YYYY-MM-DD HH:MM` in UTC.
pub(crate) fn format_minute(millis: Millis) -> String {
    let days = millis.div_euclid(86_400_000);
    let in_day = millis.rem_euclid(86_400_000) / 60_000;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", in_day / 60, in_day % 60)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_read_as_utc_milliseconds() {
        assert_eq!(parse("1970-01-01"), Some(0));
        assert_eq!(parse("1970-01-02T00:00:00Z"), Some(86_400_000));
        assert_eq!(parse("2000-03-01T00:00:00.5Z"), Some(951_868_800_500));
        assert_eq!(parse("2026-11-20T10:02:03.456Z"), Some(1_795_168_923_456));
        assert_eq!(
            parse("2026-11-20T12:02:03.456+02:00"),
            parse("2026-11-20T10:02:03.456Z")
        );
        assert_eq!(parse("2026-11-20 10:02"), parse("2026-11-20T10:02:00Z"));
        for bad in [
            "",
            "2026-13-01",
            "2026-02-30",
            "2026/11/20",
            "2026-11-20T25:00",
            "yesterday",
            "2026-11-20Tx",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_round_trip_through_day_counts() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(format_minute(1_795_168_923_456), "2026-11-20 10:02");
    }
}
