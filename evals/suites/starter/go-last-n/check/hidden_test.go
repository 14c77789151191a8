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
