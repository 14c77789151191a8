//! The game's leaderboard.

/// A player's best score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub player: String,
    pub score: u32,
}

impl Entry {
    pub fn new(player: &str, score: u32) -> Entry {
        Entry { player: player.to_string(), score }
    }
}

/// The entries, best score first. `entries` is in the order the scores were reached, and
/// of two players with the same score the one who reached it first ranks higher.
pub fn ranked(entries: &[Entry]) -> Vec<Entry> {
    let mut out = entries.to_vec();
    out.sort_by_key(|e| e.score);
    out.reverse();
    out
}

/// The names of the top `n` players, best first.
pub fn podium(entries: &[Entry], n: usize) -> Vec<String> {
    ranked(entries).into_iter().take(n).map(|e| e.player).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_first() {
        let entries = [Entry::new("ana", 40), Entry::new("ben", 90), Entry::new("cy", 65)];
        assert_eq!(podium(&entries, 2), ["ben", "cy"]);
    }
}
