//! Calendar quarters (`2025-Q3`), the period of every report.
//!
//! # Examples
//!
//! ```
//! use fracture::quarter::Quarter;
//! let q: Quarter = "2025-T3".parse().expect("a quarter");
//! assert_eq!(q, Quarter { year: 2025, q: 3 });
//! assert_eq!(q.to_string(), "2025-Q3");
//! assert!("2025-Q5".parse::<Quarter>().is_err());
//! ```

use std::fmt;
use std::str::FromStr;

/// A calendar quarter, written `2025-Q3` in paths and tables (the locale writes it for people:
/// `2025-T3` in French). Parses `2025-Q3` and `2025-T3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    pub q: u8,
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

impl FromStr for Quarter {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || format!("invalid quarter {s:?}: expected YYYY-QN such as 2025-Q3");
        let (y, q) = s.split_once("-Q").or_else(|| s.split_once("-T")).ok_or_else(err)?;
        let year: i32 = y.parse().map_err(|_| err())?;
        let q: u8 = q.parse().map_err(|_| err())?;
        if !(1..=4).contains(&q) || !(1900..=2200).contains(&year) {
            return Err(err());
        }
        Ok(Quarter { year, q })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_round_trip() {
        let q: Quarter = "2025-Q3".parse().unwrap_or(Quarter { year: 0, q: 0 });
        assert_eq!(q, Quarter { year: 2025, q: 3 });
        assert_eq!(q.to_string(), "2025-Q3");
        assert!("2025-Q5".parse::<Quarter>().is_err());
        assert!("2025Q1".parse::<Quarter>().is_err());
        assert!("2024-Q4".parse::<Quarter>().is_ok_and(|p| p < q));
    }
}
