// Package invoices works out when invoices fall due.
package invoices

import (
	"fmt"
	"time"
)

// DaysUntil is how many days from now until due: 0 when it is due today, 1 when due
// tomorrow, negative when overdue.
func DaysUntil(now, due time.Time) int {
	return int(due.Sub(now).Hours() / 24)
}

// Label is what the invoice list shows for an invoice falling due at due.
func Label(now, due time.Time) string {
	switch days := DaysUntil(now, due); {
	case days < 0:
		return "overdue"
	case days == 0:
		return "due today"
	case days == 1:
		return "due tomorrow"
	default:
		return fmt.Sprintf("due in %d days", days)
	}
}
