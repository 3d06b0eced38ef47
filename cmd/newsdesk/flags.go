package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// usageError is a mistake in the command line: exit status 2 and the usage text.
type usageError struct {
	msg   string
	usage string
}

func (e *usageError) Error() string { return e.msg }

// exitError ends the program with a given status after its output is printed.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }

// command is one subcommand's flag set with its usage text.
type command struct {
	fs    *flag.FlagSet
	usage string
}

func newCommand(name, synopsis, help string, stdout io.Writer) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := &command{fs: fs}
	c.usage = fmt.Sprintf("Usage: %s\n\n%s\n", synopsis, help)
	return c
}

// fullUsage is the usage text followed by the flags with their defaults.
func (c *command) fullUsage() string {
	var b strings.Builder
	b.WriteString(c.usage)
	hasFlags := false
	c.fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		b.WriteString("\nFlags:\n")
		c.fs.SetOutput(&b)
		c.fs.PrintDefaults()
		c.fs.SetOutput(io.Discard)
	}
	return b.String()
}

// parse parses flags anywhere among the arguments ("import dir --db x" works
// too) and returns the positional arguments. --help prints the usage to
// stdout and returns errHelp, which callers turn into a clean exit.
func (c *command) parse(args []string, stdout io.Writer) ([]string, error) {
	var positional []string
	for {
		if err := c.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, c.fullUsage())
				return nil, errHelp
			}
			return nil, &usageError{msg: err.Error(), usage: c.fullUsage()}
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// flag.Parse stops at the first positional argument, or after "--".
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// errHelp means --help was asked for and answered.
var errHelp = &exitError{code: 0}

func (c *command) usageErr(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...), usage: c.fullUsage()}
}

// envString is the value of a NEWSDESK_* variable, or def when it is unset.
func envString(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// dbFlag adds --db, defaulting to NEWSDESK_DB or ./newsdesk.db. --help and
// usage errors show the default through displayDB: never a URL's password.
func (c *command) dbFlag() *string {
	p := c.fs.String("db", envString("NEWSDESK_DB", "newsdesk.db"), "database: an SQLite file or a postgres:// URL (env NEWSDESK_DB)")
	f := c.fs.Lookup("db")
	f.DefValue = displayDB(f.DefValue)
	return p
}

// int64Env reads an integer environment default, reporting a bad value
// rather than ignoring it.
func int64Env(name string, def int64) (int64, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("environment %s=%q: not a whole number", name, v)
	}
	return n, nil
}
