package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review/account"
	"golang.org/x/term"
)

const userSynopsis = "newsdesk user add|passwd|disable|list [--db PATH|URL] [--role admin|editor] NAME"

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := newCommand("user", userSynopsis,
		"Manages the people who can log in.\n"+
			"  add NAME      create a user (--role editor by default)\n"+
			"  passwd NAME   set a new password; their sessions end\n"+
			"  disable NAME  stop a user logging in; their sessions end\n"+
			"  list          list users\n"+
			"The password is read from standard input when it is not a terminal\n"+
			"(first line), otherwise asked for twice without echo.\n"+
			"--db is an SQLite file (add creates it when missing) or a postgres:// URL.", stdout)
	dbPath := c.dbFlag()
	role := c.fs.String("role", envString("NEWSDESK_ROLE", "editor"), "role for add: admin or editor (env NEWSDESK_ROLE)")
	rest, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return c.usageErr("user: say add, passwd, disable or list")
	}
	action, names := rest[0], rest[1:]
	for i, n := range names {
		names[i] = account.NormalizeUsername(n)
	}
	wantNames := 1
	if action == "list" {
		wantNames = 0
	}
	switch action {
	case "add", "passwd", "disable", "list":
	default:
		return c.usageErr("user: unknown action %q (want add, passwd, disable or list)", action)
	}
	if len(names) != wantNames {
		return c.usageErr("user %s: %s", action, map[int]string{0: "takes no name", 1: "name exactly one user"}[wantNames])
	}
	r, err := account.ParseRole(*role)
	if action == "add" && err != nil {
		return c.usageErr("user add: --role must be admin or editor, got %q", *role)
	}
	var hash string
	if action == "add" {
		// Everything the user typed is checked before the database is
		// opened: a refused add must not leave a new, empty database.
		if hash, err = newUserHash(names[0], stdin, stderr); err != nil {
			return err
		}
	}
	mode := storeExisting
	switch action {
	case "add": // the first admin is how a new database starts
		mode = storeCreate
	case "list":
		mode = storeReadOnly
	}
	store, err := openStore(ctx, *dbPath, mode)
	if err != nil {
		return err
	}
	defer store.Close()
	switch action {
	case "list":
		return listUsers(ctx, store, stdout)
	case "add":
		return addUser(ctx, store, names[0], hash, r, stdout)
	case "passwd":
		return setPassword(ctx, store, names[0], stdin, stderr, stdout)
	default:
		return disableUser(ctx, store, names[0], stdout)
	}
}

func listUsers(ctx context.Context, store db.Database, stdout io.Writer) error {
	users, err := store.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tSTATE\tCREATED")
	for _, u := range users {
		state := "active"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Role, state, u.CreatedAt.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

// newUserHash checks a new user's name and reads and hashes the password.
func newUserHash(name string, stdin io.Reader, stderr io.Writer) (string, error) {
	if err := account.ValidateUsername(name); err != nil {
		return "", fmt.Errorf("user add: %q: %w", name, err)
	}
	return readNewPassword(stdin, stderr)
}

func addUser(ctx context.Context, store db.Database, name, hash string, role account.Role, stdout io.Writer) error {
	if _, err := store.CreateUser(ctx, name, hash, role); err != nil {
		if errors.Is(err, db.ErrUserExists) {
			return fmt.Errorf("user add: %q already exists (use passwd to change the password)", name)
		}
		return err
	}
	fmt.Fprintf(stdout, "added %s (%s)\n", name, role)
	return nil
}

func setPassword(ctx context.Context, store db.Database, name string, stdin io.Reader, stderr, stdout io.Writer) error {
	u, err := findUser(ctx, store, name)
	if err != nil {
		return err
	}
	hash, err := readNewPassword(stdin, stderr)
	if err != nil {
		return err
	}
	if err := store.SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password of %s changed; their sessions have ended\n", u.Username)
	return nil
}

func disableUser(ctx context.Context, store db.Database, name string, stdout io.Writer) error {
	u, err := findUser(ctx, store, name)
	if err != nil {
		return err
	}
	if err := store.SetDisabled(ctx, u.ID, true); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "disabled %s; their sessions have ended\n", u.Username)
	return nil
}

func findUser(ctx context.Context, store db.Database, name string) (*db.User, error) {
	u, err := store.UserByName(ctx, name)
	if errors.Is(err, db.ErrNotFound) {
		return nil, fmt.Errorf("no user named %q", name)
	}
	return u, err
}

// readNewPassword reads the password from a terminal twice without echo,
// or the first line of stdin when it is a pipe or file, checks the rules
// and hashes it.
func readNewPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	var pw string
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		first, err := promptPassword(f, stderr, "New password: ")
		if err != nil {
			return "", err
		}
		again, err := promptPassword(f, stderr, "Again: ")
		if err != nil {
			return "", err
		}
		if first != again {
			return "", errors.New("the two passwords differ")
		}
		pw = first
	} else {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password from stdin: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if err := account.ValidatePassword(pw); err != nil {
		return "", err
	}
	return account.HashPassword(pw)
}

func promptPassword(f *os.File, stderr io.Writer, prompt string) (string, error) {
	fmt.Fprint(stderr, prompt)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	return string(b), nil
}
