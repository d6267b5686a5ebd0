//! Client-side close validation, as the WebSocket API requires it.

use crate::Error;

/// The longest close reason a client may send, in UTF-8 bytes.
pub const MAX_REASON_BYTES: usize = 123;

/// Check a close code and reason before handing them to the browser.
///
/// The [`close()`](https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/close)
/// method throws `InvalidAccessError` for any code other than 1000 or 3000–4999, and
/// `SyntaxError` for a reason longer than 123 bytes of UTF-8. resocket checks first and
/// returns a typed error instead, sending nothing.
///
/// ```
/// use resocket::{core::close::validate, Error};
/// assert!(validate(1000, "bye").is_ok());
/// assert_eq!(validate(1001, ""), Err(Error::InvalidCloseCode(1001)));
/// assert_eq!(validate(4000, &"x".repeat(124)), Err(Error::InvalidCloseReason(124)));
/// ```
///
/// # Errors
/// [`Error::InvalidCloseCode`] or [`Error::InvalidCloseReason`].
pub fn validate(code: u16, reason: &str) -> Result<(), Error> {
    check(code, reason)
}

/// [`validate`] for an error of any payload type (the core's).
pub(crate) fn check<M>(code: u16, reason: &str) -> Result<(), Error<M>> {
    if code != 1000 && !(3000..=4999).contains(&code) {
        return Err(Error::InvalidCloseCode(code));
    }
    if reason.len() > MAX_REASON_BYTES {
        return Err(Error::InvalidCloseReason(reason.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        for ok in [1000, 3000, 3999, 4000, 4999] {
            assert_eq!(validate(ok, ""), Ok(()), "{ok}");
        }
        for bad in [0, 999, 1001, 1005, 1006, 1015, 2999, 5000, u16::MAX] {
            assert_eq!(
                validate(bad, ""),
                Err(Error::InvalidCloseCode(bad)),
                "{bad}"
            );
        }
    }

    #[test]
    fn reason_counts_bytes_not_chars() {
        assert!(validate(1000, &"a".repeat(123)).is_ok());
        assert_eq!(
            validate(1000, &"a".repeat(124)),
            Err(Error::InvalidCloseReason(124))
        );
        // 62 two-byte characters = 124 bytes although only 62 chars.
        assert_eq!(
            validate(1000, &"é".repeat(62)),
            Err(Error::InvalidCloseReason(124))
        );
    }
}
