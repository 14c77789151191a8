package filter

import (
	"strings"
	"testing"
)

const sample = "ERROR disk full\nok\nError: timeout\nerror again\nÉCHEC du job\n"

func filtered(t *testing.T, args ...string) string {
	t.Helper()
	var out strings.Builder
	if err := Run(args, strings.NewReader(sample), &out); err != nil {
		t.Fatalf("Run(%q): %v", args, err)
	}
	return out.String()
}

func TestIgnoreCase(t *testing.T) {
	if got, want := filtered(t, "-i", "error"), "ERROR disk full\nError: timeout\nerror again\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got, want := filtered(t, "-i", "échec"), "ÉCHEC du job\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestIgnoreCaseWithCount(t *testing.T) {
	if got := filtered(t, "-i", "-c", "ERROR"); got != "3\n" {
		t.Fatalf("got %q, want \"3\\n\"", got)
	}
}

func TestCaseMattersWithoutFlag(t *testing.T) {
	if got := filtered(t, "error"); got != "error again\n" {
		t.Fatalf("got %q", got)
	}
}
