// Package assets builds the addresses of static files on the CDN.
package assets

import "net/url"

// URL is the address of the asset name under base:
// URL("https://cdn.example.com/static", "img/logo.png") is
// "https://cdn.example.com/static/img/logo.png".
func URL(base, name string) string {
	return base + "/" + name
}

// Versioned is URL with the asset's version as a query, so browsers fetch a new copy
// when it changes: ".../img/logo.png?v=3f2a".
func Versioned(base, name, version string) string {
	return URL(base, name) + "?v=" + url.QueryEscape(version)
}
