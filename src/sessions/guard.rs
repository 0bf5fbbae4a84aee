//! Reads turned away by `ctxbudget hook`, as a transcript records them: an
//! error tool result holding the guard's reason, whose first line names
//! the file and what reading it whole would have cost. Claude Code
//! records no hook's identity, so the reason's own wording is the mark.

/// The file and whole-read cost of every denial in a tool result's text.
pub(crate) fn turned_away(text: &str) -> Vec<(String, u64)> {
    const HEAD: &str = "ctxbudget: ";
    const COSTS: &str = " costs ";
    const TAIL: &str = " tokens to read whole (";
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(HEAD) {
        rest = &rest[at + HEAD.len()..];
        let line = rest.split('\n').next().unwrap_or("");
        let Some(end) = line.find(TAIL) else {
            continue;
        };
        let head = &line[..end];
        let Some(costs) = head.rfind(COSTS) else {
            continue;
        };
        let path = &head[..costs];
        let digits: String = head[costs + COSTS.len()..]
            .chars()
            .filter(|c| *c != ',')
            .collect();
        if let (false, Ok(tokens)) = (path.is_empty(), digits.parse::<u64>()) {
            found.push((path.to_string(), tokens));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::turned_away;

    #[test]
    fn denials_are_found_with_their_cost_and_nothing_else_is() {
        let text = "Hook PreToolUse:Bash denied this tool: ctxbudget: src/a b.rs costs 12,345 tokens to read whole (900 lines), over ...\n- fn x: offset=1 limit=2 (3 tokens)\nctxbudget: data/x.csv costs 7,001 tokens to read whole (5 lines), over ...";
        assert_eq!(
            turned_away(text),
            [
                ("src/a b.rs".to_string(), 12_345),
                ("data/x.csv".to_string(), 7_001)
            ]
        );
        assert!(turned_away("ctxbudget: costs nothing").is_empty());
        assert!(turned_away("Error: Hook PreToolUse:Read denied this tool").is_empty());
        assert!(turned_away("ctxbudget: x costs many tokens to read whole (").is_empty());
    }
}
