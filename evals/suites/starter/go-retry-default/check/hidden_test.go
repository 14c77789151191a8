package fetch

import "testing"

func TestParseUnsetIsDefault(t *testing.T) {
	c, err := Parse("")
	if err != nil || c.Retries != 3 {
		t.Fatalf("Parse(\"\") = %v, %v; want 3 retries", c, err)
	}
}

func TestParseRejectsNegative(t *testing.T) {
	if _, err := Parse("-1"); err == nil {
		t.Fatal("Parse(\"-1\") should fail")
	}
}
