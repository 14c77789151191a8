package invoices

import (
	"testing"
	"time"
)

func TestDueToday(t *testing.T) {
	now := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	due := time.Date(2024, 3, 1, 17, 0, 0, 0, time.UTC)
	if got := Label(now, due); got != "due today" {
		t.Fatalf("Label = %q, want \"due today\"", got)
	}
}
