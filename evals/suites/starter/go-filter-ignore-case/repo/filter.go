// Package filter is the `filter [-c] PATTERN` command: it prints the lines of its input
// that contain PATTERN.
package filter

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Run runs the command with args (without the program's name), reading lines from in
// and writing to out.
func Run(args []string, in io.Reader, out io.Writer) error {
	flags := flag.NewFlagSet("filter", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	count := flags.Bool("c", false, "print only how many lines match")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		return fmt.Errorf("usage: filter [-c] PATTERN")
	}
	pattern := flags.Arg(0)
	matches := 0
	scanner := bufio.NewScanner(in)
	for scanner.Scan() {
		line := scanner.Text()
		if !strings.Contains(line, pattern) {
			continue
		}
		matches++
		if !*count {
			fmt.Fprintln(out, line)
		}
	}
	if err := scanner.Err(); err != nil {
		return err
	}
	if *count {
		fmt.Fprintln(out, matches)
	}
	return nil
}
