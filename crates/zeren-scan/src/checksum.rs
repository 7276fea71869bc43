//! Check digits and dates used to validate candidate identifiers: GB 11643-1999 (MOD 11-2) for resident
//! identity numbers and Luhn (ISO/IEC 7812) for bank cards. Digits are passed as values 0–9, with 10
//! standing for the check character `X`.

/// Weights of GB 11643-1999 for the first 17 digits (2^(17-i) mod 11).
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check value (0–10, 10 meaning `X`) for the first 17 digits of a resident identity number.
pub fn resident_id_check(first17: &[u8; 17]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    ((12 - (sum % 11)) % 11) as u8
}

/// Whether 18 digit values (the last may be 10 for `X`) carry a correct MOD 11-2 check character.
pub fn resident_id_checksum_ok(digits: &[u8; 18]) -> bool {
    if digits[..17].iter().any(|&d| d > 9) {
        return false;
    }
    let mut first = [0u8; 17];
    first.copy_from_slice(&digits[..17]);
    resident_id_check(&first) == digits[17]
}

/// Luhn check over digit values (0–9).
pub fn luhn_ok(digits: &[u8]) -> bool {
    if digits.is_empty() || digits.iter().any(|&d| d > 9) {
        return false;
    }
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

/// The Luhn check digit that completes `payload`.
pub fn luhn_check_digit(payload: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &d) in payload.iter().rev().enumerate() {
        let mut v = u32::from(d);
        if i % 2 == 0 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    ((10 - sum % 10) % 10) as u8
}

fn is_leap(year: u32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Whether year/month/day is a real calendar date with a year a living person can be born in.
/// The range is fixed (1900–2099) because this crate has no clock.
pub fn real_birth_date(year: u32, month: u32, day: u32) -> bool {
    if !(1900..=2099).contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return false;
    }
    let days = match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    day <= days
}

/// Whether the first two digits name a province-level division of GB/T 2260 (plus 71 Taiwan, 81/82 Hong
/// Kong and Macao, 83 for residence permits and 91 for older foreign codes).
pub fn province_code_ok(a: u8, b: u8) -> bool {
    matches!(
        (a, b),
        (1, 1..=5)
            | (2, 1..=3)
            | (3, 1..=7)
            | (4, 1..=6)
            | (5, 0..=4)
            | (6, 1..=5)
            | (7, 1)
            | (8, 1..=3)
            | (9, 1)
    )
}

fn num(d: &[u8]) -> u32 {
    d.iter().fold(0, |acc, &x| acc * 10 + u32::from(x))
}

/// Validates an 18-character resident identity number given as digit values (last may be 10 = `X`).
pub fn resident_id18_ok(d: &[u8; 18]) -> bool {
    province_code_ok(d[0], d[1])
        && real_birth_date(num(&d[6..10]), num(&d[10..12]), num(&d[12..14]))
        && resident_id_checksum_ok(d)
}

/// Validates a legacy 15-digit resident identity number (no check digit, two-digit year of the 1900s).
pub fn resident_id15_ok(d: &[u8; 15]) -> bool {
    d.iter().all(|&x| x <= 9)
        && province_code_ok(d[0], d[1])
        && real_birth_date(1900 + num(&d[6..8]), num(&d[8..10]), num(&d[10..12]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn digits(s: &str) -> Vec<u8> {
        s.bytes()
            .map(|b| if b == b'X' { 10 } else { b - b'0' })
            .collect()
    }

    #[test]
    fn known_resident_ids() {
        // The example from GB 11643-1999 and a well-known published sample.
        for id in ["11010519491231002X", "440524188001010014"] {
            let d: [u8; 18] = digits(id).try_into().unwrap();
            assert!(resident_id_checksum_ok(&d), "{id}");
        }
        assert!(resident_id18_ok(
            &digits("11010519491231002X").try_into().unwrap()
        ));
        // 1880 is outside the birth-year range even though the check digit is right.
        assert!(!resident_id18_ok(
            &digits("440524188001010014").try_into().unwrap()
        ));
        let bad: [u8; 18] = digits("110105194912310021").try_into().unwrap();
        assert!(!resident_id_checksum_ok(&bad));
    }

    #[test]
    fn known_luhn() {
        assert!(luhn_ok(&digits("4539578763621486")));
        assert!(luhn_ok(&digits("79927398713")));
        assert!(!luhn_ok(&digits("79927398710")));
    }

    #[test]
    fn dates() {
        assert!(real_birth_date(2000, 2, 29));
        assert!(!real_birth_date(1900, 2, 29));
        assert!(!real_birth_date(2023, 2, 29));
        assert!(!real_birth_date(2023, 4, 31));
        assert!(!real_birth_date(2023, 13, 1));
        assert!(!real_birth_date(1899, 12, 31));
    }

    proptest! {
        #[test]
        fn id_check_char_is_unique(first in proptest::collection::vec(0u8..10, 17)) {
            let first: [u8; 17] = first.try_into().unwrap();
            let check = resident_id_check(&first);
            for c in 0..=10u8 {
                let mut all = [0u8; 18];
                all[..17].copy_from_slice(&first);
                all[17] = c;
                prop_assert_eq!(resident_id_checksum_ok(&all), c == check);
            }
        }

        #[test]
        fn id_check_detects_single_digit_errors(first in proptest::collection::vec(0u8..10, 17), pos in 0usize..17, delta in 1u8..10) {
            let first: [u8; 17] = first.try_into().unwrap();
            let mut all = [0u8; 18];
            all[..17].copy_from_slice(&first);
            all[17] = resident_id_check(&first);
            all[pos] = (all[pos] + delta) % 10;
            prop_assert!(!resident_id_checksum_ok(&all));
        }

        #[test]
        fn luhn_check_digit_completes(payload in proptest::collection::vec(0u8..10, 1..24)) {
            let mut all = payload.clone();
            all.push(luhn_check_digit(&payload));
            prop_assert!(luhn_ok(&all));
            for c in 0..10u8 {
                let mut other = payload.clone();
                other.push(c);
                prop_assert_eq!(luhn_ok(&other), c == luhn_check_digit(&payload));
            }
        }

        #[test]
        fn luhn_detects_single_digit_errors(payload in proptest::collection::vec(0u8..10, 15..19), pos in 0usize..15, delta in 1u8..10) {
            let mut all = payload.clone();
            all.push(luhn_check_digit(&payload));
            all[pos] = (all[pos] + delta) % 10;
            prop_assert!(!luhn_ok(&all));
        }
    }
}
