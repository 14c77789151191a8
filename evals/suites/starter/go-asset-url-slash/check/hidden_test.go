package assets

import "testing"

const logo = "https://cdn.example.com/static/img/logo.png"

func TestBaseWithTrailingSlash(t *testing.T) {
	if got := URL("https://cdn.example.com/static/", "img/logo.png"); got != logo {
		t.Fatalf("URL = %q, want %q", got, logo)
	}
}

func TestNameWithLeadingSlash(t *testing.T) {
	if got := URL("https://cdn.example.com/static", "/img/logo.png"); got != logo {
		t.Fatalf("URL = %q, want %q", got, logo)
	}
	if got := URL("https://cdn.example.com/static/", "/img/logo.png"); got != logo {
		t.Fatalf("URL = %q, want %q", got, logo)
	}
}

func TestVersionedURL(t *testing.T) {
	got := Versioned("https://cdn.example.com/static", "img/logo.png", "3f2a")
	if want := logo + "?v=3f2a"; got != want {
		t.Fatalf("Versioned = %q, want %q", got, want)
	}
}
