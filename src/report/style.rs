//! ANSI styling for the human report, off unless the caller turned it on.

/// Paints text when color is on; passes it through otherwise.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    color: bool,
}

impl Style {
    /// A painter; `color` false makes every method the identity.
    pub(crate) fn new(color: bool) -> Style {
        Style { color }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Section headings.
    pub(crate) fn heading(&self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Secondary detail.
    pub(crate) fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Flags and warnings.
    pub(crate) fn warn(&self, text: &str) -> String {
        self.paint("33", text)
    }

    /// Lines a diff adds.
    pub(crate) fn added(&self, text: &str) -> String {
        self.paint("32", text)
    }

    /// Lines a diff removes.
    pub(crate) fn removed(&self, text: &str) -> String {
        self.paint("31", text)
    }

    pub(crate) fn path(&self, text: &str) -> String {
        self.paint("36", text)
    }
}
