package words

import "testing"

func TestCountSentence(t *testing.T) {
	if got := Count("the quick fox"); got != 3 {
		t.Fatalf("Count = %d, want 3", got)
	}
}
