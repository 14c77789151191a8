use leaderboard::{podium, ranked, Entry};

fn names(entries: &[Entry]) -> Vec<String> {
    entries.iter().map(|e| e.player.clone()).collect()
}

#[test]
fn the_first_to_reach_a_score_ranks_higher() {
    let entries = [Entry::new("ana", 90), Entry::new("ben", 90), Entry::new("cy", 50), Entry::new("di", 90)];
    assert_eq!(names(&ranked(&entries)), ["ana", "ben", "di", "cy"]);
}

#[test]
fn the_podium_names_the_earliest_of_tied_players() {
    let entries = [Entry::new("eve", 10), Entry::new("ana", 70), Entry::new("ben", 70)];
    assert_eq!(podium(&entries, 1), ["ana"]);
}

#[test]
fn higher_scores_rank_first() {
    let entries = [Entry::new("ana", 1), Entry::new("ben", 3), Entry::new("cy", 2)];
    assert_eq!(names(&ranked(&entries)), ["ben", "cy", "ana"]);
    assert!(ranked(&[]).is_empty());
}
