package fetch

import "testing"

func TestParseNumber(t *testing.T) {
	c, err := Parse("5")
	if err != nil || c.Retries != 5 {
		t.Fatalf("Parse(\"5\") = %v, %v", c, err)
	}
}
