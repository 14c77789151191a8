package filter

import (
	"strings"
	"testing"
)

func run(t *testing.T, input string, args ...string) string {
	t.Helper()
	var out strings.Builder
	if err := Run(args, strings.NewReader(input), &out); err != nil {
		t.Fatalf("Run(%q): %v", args, err)
	}
	return out.String()
}

func TestPrintsMatchingLines(t *testing.T) {
	if got := run(t, "disk full\nall good\ndisk slow\n", "disk"); got != "disk full\ndisk slow\n" {
		t.Fatalf("got %q", got)
	}
}

func TestCount(t *testing.T) {
	if got := run(t, "disk full\nall good\ndisk slow\n", "-c", "disk"); got != "2\n" {
		t.Fatalf("got %q", got)
	}
}
