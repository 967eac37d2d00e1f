//! Deterministic randomness: everything the simulator makes up is a pure function of a seed and
//! an index, so a million events need no memory and a rerun serves the same data.

/// The splitmix64 finaliser: a bijection on u64 with good avalanche.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stable 64-bit hash of a name (FNV-1a), to derive per-org seeds.
pub(crate) fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A small, fast generator (splitmix64). Not for secrets.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    /// The generator for item `index` of stream `stream` under `seed`.
    pub fn new(seed: u64, stream: u64, index: u64) -> Self {
        Rng(mix(seed ^ mix(stream.wrapping_add(mix(index)))))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `lo..hi` (hi > lo).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo).max(1) as u64) as i64
    }

    /// `len` characters from `alphabet`, appended to `out`.
    pub fn push_chars(&mut self, out: &mut String, alphabet: &[u8], len: usize) {
        let mut bits = 0u64;
        let mut left = 0;
        for _ in 0..len {
            if left == 0 {
                bits = self.next_u64();
                left = 8;
            }
            out.push(alphabet[(bits & 0xff) as usize % alphabet.len()] as char);
            bits >>= 8;
            left -= 1;
        }
    }

    /// An Okta-style object id: a 3-character type prefix and 17 alphanumerics (`00u…`, `0oa…`).
    pub fn okta_id(&mut self, prefix: &str) -> String {
        let mut s = String::with_capacity(20);
        s.push_str(prefix);
        self.push_chars(&mut s, ALNUM, 20usize.saturating_sub(prefix.len()));
        s
    }

    /// A request or transaction id as Okta prints them (27 characters).
    pub fn request_id(&mut self) -> String {
        let mut s = String::with_capacity(27);
        self.push_chars(&mut s, ALNUM, 23);
        s.push_str("AAAA");
        s
    }
}

pub(crate) const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8; 16] = b"0123456789abcdef";

/// A v4-shaped uuid that is unique per `(seed, index)` for a given seed: the low 62 bits are a
/// bijection of the index, so two indexes never collide.
pub(crate) fn uuid(seed: u64, index: u64) -> [u8; 36] {
    let salt = mix(seed ^ 0x005e_ed0f_0c7a);
    let high = mix(salt ^ mix(index));
    let low = scramble62(index ^ (salt >> 2)) | (0b10 << 62);
    let high = (high & !0xf000) | 0x4000; // version 4
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&high.to_be_bytes());
    bytes[8..].copy_from_slice(&low.to_be_bytes());
    let mut out = [0u8; 36];
    let mut o = 0;
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out[o] = b'-';
            o += 1;
        }
        out[o] = HEX[(b >> 4) as usize];
        out[o + 1] = HEX[(b & 0xf) as usize];
        o += 2;
    }
    out
}

/// A bijection on 62-bit integers (xorshift and odd multiplies stay bijective modulo 2^62).
fn scramble62(x: u64) -> u64 {
    const MASK: u64 = (1 << 62) - 1;
    let mut x = x & MASK;
    x ^= x >> 31;
    x = x.wrapping_mul(0x7fb5_d329_728e_a185) & MASK;
    x ^= x >> 27;
    x = x.wrapping_mul(0x81da_def4_bc2d_d44d) & MASK;
    x ^= x >> 33;
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn uuids_are_unique_and_v4_shaped() {
        let mut seen = HashSet::new();
        for i in 0..200_000 {
            let u = uuid(7, i);
            let s = std::str::from_utf8(&u).unwrap();
            assert_eq!(&s[14..15], "4");
            assert!(matches!(&s[19..20], "8" | "9" | "a" | "b"), "{s}");
            assert!(seen.insert(u), "duplicate uuid at {i}");
        }
        assert_ne!(uuid(1, 0), uuid(2, 0));
    }

    #[test]
    fn ids_look_like_okta_ids() {
        let mut rng = Rng::new(1, 2, 3);
        let id = rng.okta_id("00u");
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("00u"));
        assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
