//! A small binary encoding for what the cache keeps in bulk (the refs
//! index): little-endian integers, length-prefixed strings and arrays.
//!
//! The reader never trusts a length: every count is checked against the
//! bytes left before anything is allocated, so a damaged or hostile file
//! yields `None`, never a panic or a huge allocation.

/// Appends values to a byte buffer.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    pub(crate) fn new() -> Writer {
        Writer::default()
    }

    /// The bytes written so far.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub(crate) fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    pub(crate) fn u32(&mut self, value: u32) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, value: u64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    pub(crate) fn u128(&mut self, value: u128) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    /// A count or index; every one the cache stores fits in 32 bits.
    pub(crate) fn len(&mut self, value: usize) {
        self.u32(u32::try_from(value).unwrap_or(u32::MAX));
    }

    pub(crate) fn str(&mut self, value: &str) {
        self.len(value.len());
        self.bytes.extend_from_slice(value.as_bytes());
    }

    /// An optional string (`None` is a distinct value, not "").
    pub(crate) fn opt_str(&mut self, value: Option<&str>) {
        match value {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }

    /// A length, then the bytes: a record the reader may skip whole.
    pub(crate) fn blob(&mut self, value: &[u8]) {
        self.len(value.len());
        self.bytes.extend_from_slice(value);
    }

    /// A length, then each value: for large arrays of numbers.
    pub(crate) fn u32s(&mut self, values: &[u32]) {
        self.len(values.len());
        self.bytes.reserve(values.len() * 4);
        for v in values {
            self.bytes.extend_from_slice(&v.to_le_bytes());
        }
    }

    pub(crate) fn u16s(&mut self, values: &[u16]) {
        self.len(values.len());
        self.bytes.reserve(values.len() * 2);
        for v in values {
            self.bytes.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// Reads values back in the order they were written.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    /// How many bytes are left to read.
    pub(crate) fn rest(&self) -> usize {
        self.bytes.len()
    }

    /// Whether every byte was read.
    pub(crate) fn is_done(&self) -> bool {
        self.bytes.is_empty()
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }

    pub(crate) fn u128(&mut self) -> Option<u128> {
        self.array().map(u128::from_le_bytes)
    }

    /// A count of items each at least `item_bytes` long: refused when the
    /// bytes left could not hold them.
    pub(crate) fn len(&mut self, item_bytes: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n.checked_mul(item_bytes.max(1))? <= self.bytes.len()).then_some(n)
    }

    pub(crate) fn str(&mut self) -> Option<&'a str> {
        let n = self.len(1)?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    pub(crate) fn blob(&mut self) -> Option<&'a [u8]> {
        let n = self.len(1)?;
        self.take(n)
    }

    pub(crate) fn opt_str(&mut self) -> Option<Option<&'a str>> {
        match self.u8()? {
            0 => Some(None),
            1 => self.str().map(Some),
            _ => None,
        }
    }

    pub(crate) fn u32s(&mut self) -> Option<Vec<u32>> {
        let n = self.len(4)?;
        let bytes = self.take(n * 4)?;
        Some(
            bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }

    pub(crate) fn u16s(&mut self) -> Option<Vec<u16>> {
        let n = self.len(2)?;
        let bytes = self.take(n * 2)?;
        Some(
            bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_in_order() {
        let mut w = Writer::new();
        w.u8(7);
        w.u32(70_000);
        w.u64(1 << 40);
        w.u128(u128::MAX - 3);
        w.str("héllo");
        w.opt_str(None);
        w.opt_str(Some(""));
        w.u32s(&[1, 2, u32::MAX]);
        w.u16s(&[9, 8]);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes);
        assert_eq!(r.u8(), Some(7));
        assert_eq!(r.u32(), Some(70_000));
        assert_eq!(r.u64(), Some(1 << 40));
        assert_eq!(r.u128(), Some(u128::MAX - 3));
        assert_eq!(r.str(), Some("héllo"));
        assert_eq!(r.opt_str(), Some(None));
        assert_eq!(r.opt_str(), Some(Some("")));
        assert_eq!(r.u32s(), Some(vec![1, 2, u32::MAX]));
        assert_eq!(r.u16s(), Some(vec![9, 8]));
        assert!(r.is_done());
        assert_eq!(r.u8(), None, "past the end");
    }

    /// A damaged length must not make the reader allocate what it claims.
    #[test]
    fn a_length_larger_than_what_is_left_is_refused() {
        let mut w = Writer::new();
        w.u32(u32::MAX);
        w.u32(5);
        let bytes = w.into_bytes();
        assert_eq!(Reader::new(&bytes).u32s(), None);
        assert_eq!(Reader::new(&bytes).str(), None);
        assert_eq!(Reader::new(&bytes).len(1), None);
        let mut bad = Writer::new();
        bad.u32(2);
        let mut bytes = bad.into_bytes();
        bytes.extend_from_slice(&[0xff, 0xfe]);
        assert_eq!(Reader::new(&bytes).str(), None, "not UTF-8");
    }
}
