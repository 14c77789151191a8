package invoices

import (
	"testing"
	"time"
)

func at(day, hour, minute int, loc *time.Location) time.Time {
	return time.Date(2024, 3, day, hour, minute, 0, 0, loc)
}

func TestDueTomorrowMorning(t *testing.T) {
	now, due := at(1, 18, 0, time.UTC), at(2, 9, 0, time.UTC)
	if got := DaysUntil(now, due); got != 1 {
		t.Fatalf("DaysUntil = %d, want 1", got)
	}
	if got := Label(now, due); got != "due tomorrow" {
		t.Fatalf("Label = %q, want \"due tomorrow\"", got)
	}
}

func TestOverdueSinceLastNight(t *testing.T) {
	now, due := at(2, 8, 0, time.UTC), at(1, 20, 0, time.UTC)
	if got := DaysUntil(now, due); got != -1 {
		t.Fatalf("DaysUntil = %d, want -1", got)
	}
	if got := Label(now, due); got != "overdue" {
		t.Fatalf("Label = %q, want \"overdue\"", got)
	}
}

func TestDaysCountInNowsZone(t *testing.T) {
	plus2 := time.FixedZone("UTC+2", 2*60*60)
	// 22:30 UTC is 00:30 the next day in now's zone.
	now, due := at(1, 23, 30, plus2), at(1, 22, 30, time.UTC)
	if got := DaysUntil(now, due); got != 1 {
		t.Fatalf("DaysUntil = %d, want 1", got)
	}
}

func TestDueInAWeek(t *testing.T) {
	now, due := at(1, 10, 0, time.UTC), at(8, 10, 0, time.UTC)
	if got := Label(now, due); got != "due in 7 days" {
		t.Fatalf("Label = %q, want \"due in 7 days\"", got)
	}
}

func TestDueLaterToday(t *testing.T) {
	now, due := at(1, 0, 5, time.UTC), at(1, 23, 55, time.UTC)
	if got := DaysUntil(now, due); got != 0 {
		t.Fatalf("DaysUntil = %d, want 0", got)
	}
}
