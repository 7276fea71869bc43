//! People as the roster knows them: GB 11643 resident ID numbers (check character, birth date,
//! sex), phone numbers, and the GB/T 4762 political-status codes.

use chrono::NaiveDate;

/// GB/T 4762 political status: (code, full name, accepted short names).
pub const POLITICAL_STATUS: &[(&str, &str, &[&str])] = &[
    ("01", "中国共产党党员", &["中共党员", "党员"]),
    ("02", "中国共产党预备党员", &["中共预备党员", "预备党员"]),
    ("03", "中国共产主义青年团团员", &["共青团员", "团员"]),
    ("04", "中国国民党革命委员会会员", &["民革会员", "民革党员"]),
    ("05", "中国民主同盟盟员", &["民盟盟员"]),
    ("06", "中国民主建国会会员", &["民建会员"]),
    ("07", "中国民主促进会会员", &["民进会员"]),
    ("08", "中国农工民主党党员", &["农工党党员"]),
    ("09", "中国致公党党员", &["致公党党员"]),
    ("10", "九三学社社员", &[]),
    ("11", "台湾民主自治同盟盟员", &["台盟盟员"]),
    ("12", "无党派民主人士", &["无党派人士"]),
    ("13", "群众", &[]),
];

pub fn political_code(s: &str) -> Option<&'static str> {
    let s = s.trim();
    POLITICAL_STATUS
        .iter()
        .find(|(code, full, short)| *code == s || *full == s || short.contains(&s))
        .map(|(code, ..)| *code)
}

/// The short name shown in lists.
pub fn political_name(code: &str) -> &'static str {
    POLITICAL_STATUS
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, full, short)| short.first().copied().unwrap_or(full))
        .unwrap_or("")
}

/// A resident ID number that passed the GB 11643 check, with what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResidentId {
    pub number: String,
    pub birth: NaiveDate,
    pub male: bool,
}

impl ResidentId {
    pub fn parse(s: &str) -> Result<ResidentId, &'static str> {
        let s = s.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if b.len() != 18
            || !b[..17].iter().all(u8::is_ascii_digit)
            || !(b[17].is_ascii_digit() || b[17] == b'X')
        {
            return Err("len");
        }
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = b[..17]
            .iter()
            .zip(W)
            .map(|(d, w)| (d - b'0') as u32 * w)
            .sum();
        if b"10X98765432"[(sum % 11) as usize] != b[17] {
            return Err("check");
        }
        let birth = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").map_err(|_| "birth")?;
        Ok(ResidentId {
            male: (b[16] - b'0') % 2 == 1,
            birth,
            number: s,
        })
    }
}

pub fn is_phone(s: &str) -> bool {
    let b = s.as_bytes();
    let mobile = b.len() == 11 && b[0] == b'1' && b.iter().all(u8::is_ascii_digit);
    let landline = (7..=20).contains(&b.len())
        && b[0] == b'0'
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'-')
        && b.iter().filter(|c| c.is_ascii_digit()).count() >= 10;
    mobile || landline
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_ids_are_checked() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert!(!id.male);
        assert_eq!(ResidentId::parse("110105194912310021"), Err("check"));
        assert_eq!(ResidentId::parse("1101051949123100"), Err("len"));
    }

    #[test]
    fn political_status_by_code_or_name() {
        assert_eq!(political_code("中共党员"), Some("01"));
        assert_eq!(political_code("群众"), Some("13"));
        assert_eq!(political_code("13"), Some("13"));
        assert_eq!(political_code("路人"), None);
        assert_eq!(political_name("01"), "中共党员");
    }

    #[test]
    fn phones() {
        assert!(is_phone("13800138000"));
        assert!(is_phone("010-62345678"));
        assert!(!is_phone("12345"));
    }
}
