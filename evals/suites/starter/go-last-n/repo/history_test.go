package history

import "testing"

func TestFewerThanN(t *testing.T) {
	if got := LastN([]string{"ls"}, 5); len(got) != 1 {
		t.Fatalf("LastN = %v", got)
	}
}
