use preview::preview;

#[test]
fn accented_text_is_cut_by_characters() {
    assert_eq!(preview("héllo wörld", 5), "héllo…");
}

#[test]
fn text_of_exactly_max_characters_is_kept() {
    assert_eq!(preview("日本語", 3), "日本語");
}
