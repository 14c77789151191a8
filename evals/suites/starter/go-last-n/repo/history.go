// Package history keeps the shell's recent commands.
package history

// LastN is the last n entries of items, oldest first; all of them when there are fewer.
func LastN(items []string, n int) []string {
	if n >= len(items) {
		return items
	}
	return items[len(items)-n+1:]
}
