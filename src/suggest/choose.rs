//! The budgeted choice behind `refs --budget`: the set of references
//! with the highest total score whose tokens fit, none inside another.
//! Pure.

/// One candidate for a budgeted set.
#[derive(Debug, Clone)]
pub struct Item {
    /// What attaching it costs.
    pub tokens: u64,
    /// What it is worth.
    pub score: f64,
    /// Its file (items of one file may overlap).
    pub file: usize,
    /// Its first line.
    pub start: u32,
    /// Its last line.
    pub end: u32,
}

/// How many search nodes the exact choice may visit before settling for
/// the best set found so far.
const SEARCH_NODES: usize = 2_000_000;

/// The indices of the items with the highest total score whose tokens fit
/// `budget`, at most `max_count` of them, no two overlapping (a method
/// inside a chosen class adds nothing). Branch and bound over the 0/1
/// knapsack; the bound is the fractional knapsack of what is left.
pub fn choose(items: &[Item], budget: u64, max_count: Option<usize>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].tokens <= budget && items[i].score > 0.0)
        .collect();
    let density = |i: usize| items[i].score / items[i].tokens.max(1) as f64;
    order.sort_by(|&a, &b| density(b).total_cmp(&density(a)).then(a.cmp(&b)));

    struct Search<'a> {
        items: &'a [Item],
        order: Vec<usize>,
        budget: u64,
        max_count: usize,
        chosen: Vec<usize>,
        best: Vec<usize>,
        best_score: f64,
        nodes: usize,
    }
    impl Search<'_> {
        fn bound(&self, from: usize, room: u64, score: f64) -> f64 {
            let mut room = room as f64;
            let mut bound = score;
            let mut count = self.chosen.len();
            for &i in &self.order[from..] {
                if count >= self.max_count || room <= 0.0 {
                    break;
                }
                let item = &self.items[i];
                let tokens = item.tokens.max(1) as f64;
                if tokens <= room {
                    room -= tokens;
                    bound += item.score;
                    count += 1;
                } else {
                    bound += item.score * room / tokens;
                    break;
                }
            }
            bound
        }
        fn overlaps(&self, i: usize) -> bool {
            let item = &self.items[i];
            self.chosen.iter().any(|&c| {
                let other = &self.items[c];
                other.file == item.file && other.start <= item.end && item.start <= other.end
            })
        }
        fn go(&mut self, from: usize, room: u64, score: f64) {
            self.nodes += 1;
            if score > self.best_score + 1e-12 {
                self.best_score = score;
                self.best = self.chosen.clone();
            }
            if from == self.order.len()
                || self.chosen.len() >= self.max_count
                || self.nodes > SEARCH_NODES
                || self.bound(from, room, score) <= self.best_score + 1e-12
            {
                return;
            }
            let i = self.order[from];
            let item = &self.items[i];
            if item.tokens <= room && !self.overlaps(i) {
                self.chosen.push(i);
                self.go(from + 1, room - item.tokens, score + item.score);
                self.chosen.pop();
            }
            self.go(from + 1, room, score);
        }
    }
    let mut search = Search {
        items,
        order,
        budget,
        max_count: max_count.unwrap_or(usize::MAX),
        chosen: Vec::new(),
        best: Vec::new(),
        best_score: 0.0,
        nodes: 0,
    };
    search.go(0, search.budget, 0.0);
    let mut best = search.best;
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
