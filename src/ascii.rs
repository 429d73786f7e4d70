//! Text split at an ASCII separator, byte by byte. `str::split(char)` and
//! `split_once(char)` bring core's `CharSearcher` and `memchr` into the wasm
//! (about 900 B before wasm-opt, measured in docs/size.md); a separator that
//! is one ASCII byte never falls inside a character, so a byte loop does.

/// The pieces of `s` between the `sep` bytes, as `s.split(sep as char)`.
pub fn split(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match split_once(r, sep) {
            Some((piece, after)) => {
                rest = Some(after);
                Some(piece)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// `s` before and after its first `sep` byte, as `s.split_once(sep as char)`.
pub fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let at = s.bytes().position(|b| b == sep)?;
    Some((s.get(..at)?, s.get(at + 1..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_as_str_split_does() {
        for s in ["", ";", "a", "a;b", ";a;;b;", "é;ü;;€", "x=1; y=2"] {
            assert_eq!(split(s, b';').collect::<Vec<_>>(), s.split(';').collect::<Vec<_>>(), "{s:?}");
            assert_eq!(split_once(s, b';'), s.split_once(';'), "{s:?}");
        }
    }
}
