package words

import "testing"

func TestCountEmpty(t *testing.T) {
	if got := Count(""); got != 0 {
		t.Fatalf("Count(\"\") = %d, want 0", got)
	}
}

func TestCountExtraSpaces(t *testing.T) {
	if got := Count("  two   words \n"); got != 2 {
		t.Fatalf("Count = %d, want 2", got)
	}
}
