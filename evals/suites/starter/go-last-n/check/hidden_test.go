package history

import (
	"reflect"
	"testing"
)

func TestLastTwo(t *testing.T) {
	got := LastN([]string{"ls", "cd", "make", "git"}, 2)
	if want := []string{"make", "git"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("LastN = %v, want %v", got, want)
	}
}

func TestLastZero(t *testing.T) {
	if got := LastN([]string{"ls"}, 0); len(got) != 0 {
		t.Fatalf("LastN(_, 0) = %v, want none", got)
	}
}
