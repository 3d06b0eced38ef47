// Package storetest is the conformance suite of newsdesk's stores: every
// case runs against a fresh, empty store through the db.Database
// interface only, so the SQLite store (package db) and the PostgreSQL
// store (package db/postgres) are held to the same behaviour. Each area
// registers its cases in its own file's init.
package storetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/db"
)

// Opener returns a new, empty, migrated store, closed when t ends.
type Opener func(t *testing.T) db.Database

type testCase struct {
	name string
	run  func(t *testing.T, s db.Database)
}

var cases []testCase

// add registers a case; name is "Area/What", as `go test -run` selects it.
func add(name string, run func(t *testing.T, s db.Database)) {
	cases = append(cases, testCase{name, run})
}

// Run runs every case as a subtest of t, each on a store of its own.
func Run(t *testing.T, open Opener) {
	sorted := slices.Clone(cases)
	slices.SortStableFunc(sorted, func(a, b testCase) int { return strings.Compare(a.name, b.name) })
	for _, c := range sorted {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, open(t))
		})
	}
}
