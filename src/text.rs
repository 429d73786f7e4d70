//! Messages built without `format!`: `text!("dropped ", n, " event(s)")`
//! concatenates string and number pieces. The shipped wasm then carries none
//! of `core::fmt`'s formatting machinery (measured in the README's size table).

use crate::number::write_int;

/// Something that can be appended to a message.
pub trait Piece {
    /// Appends this piece to `out`.
    fn push_to(&self, out: &mut String);
}

impl Piece for str {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for char {
    fn push_to(&self, out: &mut String) {
        out.push(*self);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out);
    }
}

macro_rules! int_piece {
    ($($t:ty),*) => {$(
        impl Piece for $t {
            fn push_to(&self, out: &mut String) {
                write_int(*self as i64, out);
            }
        }
    )*};
}
int_piece!(usize, u64, u32, u16, u8, i64, i32);

impl Piece for f64 {
    fn push_to(&self, out: &mut String) {
        crate::json::write_number(*self, out);
    }
}

/// Concatenates pieces (`&str`, `String`, `char`, integers, `f64`) into a `String`.
#[macro_export]
macro_rules! text {
    ($($piece:expr),* $(,)?) => {{
        let mut out = ::std::string::String::new();
        $( $crate::text::Piece::push_to(&$piece, &mut out); )*
        out
    }};
}

#[cfg(test)]
mod tests {
    #[test]
    fn concatenates_pieces() {
        let name = String::from("objectIDs");
        assert_eq!(text!("`", name, "` has ", 3usize, " items, ", -2i64, ' ', 19.5), "`objectIDs` has 3 items, -2 19.5");
        assert_eq!(text!("", ""), "");
    }
}
