//! A rollout percentage, held exactly as thousandths of a percent (0..=100000): the unit flagd's
//! fractional weights and LaunchDarkly's rollout weights both use.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percentage(u32);

impl Percentage {
    pub const ZERO: Percentage = Percentage(0);
    pub const FULL: Percentage = Percentage(100_000);

    /// From a number of percent with at most three decimals; `None` outside 0..=100.
    #[must_use]
    pub fn from_percent(value: f64) -> Option<Self> {
        if !(0.0..=100.0).contains(&value) {
            return None;
        }
        let weight = (value * 1000.0).round();
        if (weight / 1000.0 - value).abs() > 1e-9 {
            return None;
        }
        // In range 0..=100000 by the check above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(Percentage(weight as u32))
    }

    /// From a weight out of 100000; `None` above 100000.
    #[must_use]
    pub fn from_weight(weight: u32) -> Option<Self> {
        (weight <= 100_000).then_some(Percentage(weight))
    }

    /// The weight out of 100000.
    #[must_use]
    pub fn weight(self) -> u32 {
        self.0
    }

    #[must_use]
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 1000.0
    }

    /// Whole percent, when the percentage has no fraction.
    #[must_use]
    pub fn whole(self) -> Option<u32> {
        self.0.is_multiple_of(1000).then_some(self.0 / 1000)
    }
}

impl fmt::Display for Percentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 1000;
        let frac = self.0 % 1000;
        if frac == 0 {
            write!(f, "{whole}%")
        } else {
            let digits = format!("{frac:03}");
            write!(f, "{whole}.{}%", digits.trim_end_matches('0'))
        }
    }
}

impl serde::Serialize for Percentage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.whole() {
            Some(w) => s.serialize_u32(w),
            None => s.serialize_f64(self.as_f64()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_percentages() {
        assert_eq!(Percentage::from_percent(25.0).unwrap().to_string(), "25%");
        assert_eq!(Percentage::from_percent(12.5).unwrap().weight(), 12_500);
        assert_eq!(
            Percentage::from_percent(0.125).unwrap().to_string(),
            "0.125%"
        );
        assert!(Percentage::from_percent(100.5).is_none());
        assert!(Percentage::from_percent(-1.0).is_none());
        assert!(Percentage::from_percent(1.2345).is_none());
    }
}
