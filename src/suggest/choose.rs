//! The budgeted choice behind `refs --budget`: the set of references
//! with the highest total score whose tokens fit, none inside another.
//! Pure.

/// One candidate for a budgeted set.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// What attaching it costs.
    pub(crate) tokens: u64,
    /// What it is worth.
    pub(crate) score: f64,
    /// Its file (items of one file may overlap).
    pub(crate) file: usize,
    /// Its first line.
    pub(crate) start: u32,
    /// Its last line.
    pub(crate) end: u32,
}

/// How many search nodes the exact choice may visit before settling for
/// the best set found so far.
const SEARCH_NODES: usize = 2_000_000;

/// The indices of the items with the highest total score whose tokens fit
/// `budget`, at most `max_count` of them, no two overlapping (a method
/// inside a chosen class adds nothing). Branch and bound over the 0/1
/// knapsack, iterative; the bound is the smaller of the fractional
/// knapsack of what is left and the best scores the count still allows.
pub(crate) fn choose(items: &[Item], budget: u64, max_count: Option<usize>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].tokens <= budget && items[i].score > 0.0)
        .collect();
    let density = |i: usize| items[i].score / items[i].tokens.max(1) as f64;
    order.sort_by(|&a, &b| density(b).total_cmp(&density(a)).then(a.cmp(&b)));

    let max_count = max_count.unwrap_or(usize::MAX);
    // For a count limit, the best scores left: `top[from]` holds the
    // highest scores among order[from..], descending, at most max_count.
    let keep = max_count.min(order.len());
    let mut top: Vec<Vec<f64>> = vec![Vec::new(); order.len() + 1];
    if max_count < order.len() {
        for from in (0..order.len()).rev() {
            let mut merged = top[from + 1].clone();
            let score = items[order[from]].score;
            let at = merged.partition_point(|&s| s >= score);
            merged.insert(at, score);
            merged.truncate(keep);
            top[from] = merged;
        }
    }
    // An upper bound on what can still be added: the fractional knapsack
    // of what is left (valid for the budget), and, under a count limit,
    // the best scores that still fit in the count (valid for the count);
    // the smaller of the two is valid for both.
    let bound = |from: usize, room: u64, count: usize| -> f64 {
        let mut room = room as f64;
        let mut fractional = 0.0;
        for &i in &order[from..] {
            if room <= 0.0 {
                break;
            }
            let item = &items[i];
            let tokens = item.tokens.max(1) as f64;
            if tokens <= room {
                room -= tokens;
                fractional += item.score;
            } else {
                fractional += item.score * room / tokens;
                break;
            }
        }
        if max_count < order.len() {
            let left = max_count.saturating_sub(count);
            let by_count: f64 = top[from].iter().take(left).sum();
            fractional.min(by_count)
        } else {
            fractional
        }
    };
    let overlaps = |chosen: &[usize], i: usize| {
        let item = &items[i];
        chosen.iter().any(|&c| {
            let other = &items[c];
            other.file == item.file && other.start <= item.end && item.start <= other.end
        })
    };
    // Depth-first branch and bound with an explicit stack (the depth is the
    // number of candidates, which the input controls): each frame is a
    // decision point; `taken` says whether its item is in `chosen`.
    struct Frame {
        from: usize,
        room: u64,
        score: f64,
        taken: Option<bool>,
    }
    let mut chosen: Vec<usize> = Vec::new();
    let mut best: Vec<usize> = Vec::new();
    let mut best_score = 0.0f64;
    let mut nodes = 0usize;
    let mut stack = vec![Frame {
        from: 0,
        room: budget,
        score: 0.0,
        taken: None,
    }];
    while let Some(frame) = stack.last_mut() {
        match frame.taken {
            None => {
                nodes += 1;
                if frame.score > best_score + 1e-12 {
                    best_score = frame.score;
                    best = chosen.clone();
                }
                let done = frame.from == order.len()
                    || chosen.len() >= max_count
                    || nodes > SEARCH_NODES
                    || frame.score + bound(frame.from, frame.room, chosen.len())
                        <= best_score + 1e-12;
                if done {
                    stack.pop();
                    continue;
                }
                let i = order[frame.from];
                let item = &items[i];
                let (from, room, score) = (frame.from, frame.room, frame.score);
                if item.tokens <= room && !overlaps(&chosen, i) {
                    frame.taken = Some(true);
                    chosen.push(i);
                    stack.push(Frame {
                        from: from + 1,
                        room: room - item.tokens,
                        score: score + item.score,
                        taken: None,
                    });
                } else {
                    frame.taken = Some(false);
                    stack.push(Frame {
                        from: from + 1,
                        room,
                        score,
                        taken: None,
                    });
                }
            }
            Some(true) => {
                // Back from the branch with the item: try without it.
                chosen.pop();
                frame.taken = Some(false);
                let (from, room, score) = (frame.from + 1, frame.room, frame.score);
                stack.push(Frame {
                    from,
                    room,
                    score,
                    taken: None,
                });
            }
            Some(false) => {
                stack.pop();
            }
        }
    }
    best.sort_unstable();
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(tokens: u64, score: f64, file: usize, start: u32, end: u32) -> Item {
        Item {
            tokens,
            score,
            file,
            start,
            end,
        }
    }

    #[test]
    fn the_budget_takes_the_best_total_not_the_best_first() {
        // Greedy by score takes the 60-token item and stops at 1.0; the best
        // set is the two smaller ones (1.6).
        let items = [
            item(60, 1.0, 0, 1, 10),
            item(50, 0.8, 1, 1, 10),
            item(50, 0.8, 2, 1, 10),
        ];
        assert_eq!(choose(&items, 100, None), [1, 2]);
        assert_eq!(choose(&items, 100, Some(1)), [0]);
        assert!(choose(&items, 10, None).is_empty());
    }

    /// The best set by brute force, for the property test.
    fn brute(items: &[Item], budget: u64, max_count: Option<usize>) -> f64 {
        let mut best = 0.0f64;
        for mask in 0u32..(1 << items.len()) {
            let set: Vec<usize> = (0..items.len()).filter(|i| mask & (1 << i) != 0).collect();
            let tokens: u64 = set.iter().map(|&i| items[i].tokens).sum();
            let apart = set.iter().all(|&a| {
                set.iter().all(|&b| {
                    a == b
                        || items[a].file != items[b].file
                        || items[a].end < items[b].start
                        || items[b].end < items[a].start
                })
            });
            if tokens <= budget && apart && max_count.is_none_or(|m| set.len() <= m) {
                best = best.max(set.iter().map(|&i| items[i].score).sum());
            }
        }
        best
    }

    /// The old bound (score per token under a count cap) was not an upper
    /// bound, so good branches were pruned: the choice must equal brute
    /// force on random small instances with nesting.
    #[test]
    fn the_choice_equals_brute_force() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for case in 0..400 {
            let n = 1 + next(10) as usize;
            let items: Vec<Item> = (0..n)
                .map(|_| {
                    let start = 1 + next(40) as u32;
                    item(
                        1 + next(300),
                        (1 + next(100)) as f64 / 10.0,
                        next(3) as usize,
                        start,
                        start + next(30) as u32,
                    )
                })
                .collect();
            let budget = 50 + next(900);
            let limit = (next(3) > 0).then(|| 1 + next(4) as usize);
            let chosen = choose(&items, budget, limit);
            let score: f64 = chosen.iter().map(|&i| items[i].score).sum();
            let want = brute(&items, budget, limit);
            assert!(
                (score - want).abs() < 1e-9,
                "case {case}: {score} vs {want}"
            );
        }
    }

    /// A thousand candidates recursed a thousand frames deep.
    #[test]
    fn thousands_of_candidates_need_no_deep_stack() {
        let items: Vec<Item> = (0..5000).map(|i| item(10, 1.0, i, 1, 2)).collect();
        let chosen = std::thread::Builder::new()
            .stack_size(64 << 10)
            .spawn(move || choose(&items, 20_000, None).len())
            .expect("thread")
            .join()
            .expect("no overflow");
        assert_eq!(chosen, 2000);
    }

    #[test]
    fn the_budget_never_takes_a_symbol_and_one_inside_it() {
        let items = [
            item(100, 1.0, 0, 1, 50),
            item(40, 0.9, 0, 10, 20),
            item(40, 0.2, 0, 30, 40),
        ];
        let chosen = choose(&items, 1000, None);
        assert_eq!(
            chosen,
            [1, 2],
            "the class alone scores 1.0, its two methods 1.1"
        );
    }
}
