// Package fetch holds the download client's settings.
package fetch

import "strconv"

// Config is what the client reads from its flags.
type Config struct {
	Retries int
}

// Parse reads the retries flag's text; the documented default is 3 retries.
func Parse(retries string) (Config, error) {
	n, err := strconv.Atoi(retries)
	if err != nil {
		return Config{}, err
	}
	return Config{Retries: n}, nil
}
