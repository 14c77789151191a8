package assets

import "testing"

func TestPlainJoin(t *testing.T) {
	got := URL("https://cdn.example.com/static", "img/logo.png")
	if want := "https://cdn.example.com/static/img/logo.png"; got != want {
		t.Fatalf("URL = %q, want %q", got, want)
	}
}
