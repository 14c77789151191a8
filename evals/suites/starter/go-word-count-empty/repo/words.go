// Package words counts words for the editor's status bar.
package words

import "strings"

// Count is the number of words in text, split on spaces.
func Count(text string) int {
	return len(strings.Split(text, " "))
}
