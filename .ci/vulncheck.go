//go:build ignore

// Command vulncheck reads `govulncheck -format json` on stdin and fails
// when the code calls a vulnerable function, unless the advisory is in the
// accepted list named by the first argument (one ID per line, then why it
// does not apply; # starts a comment). govulncheck has no such list of its
// own (golang/go#59507).
//
//	go tool govulncheck -format json ./... | go run .ci/vulncheck.go .ci/govulncheck-accepted.txt
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
	Position *struct {
		Filename string `json:"filename"`
		Line     int    `json:"line"`
	} `json:"position"`
}

type message struct {
	Config *struct {
		ScannerVersion string `json:"scanner_version"`
		DB             string `json:"db"`
		DBLastModified string `json:"db_last_modified"`
		GoVersion      string `json:"go_version"`
	} `json:"config"`
	OSV *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "vulncheck:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 2 {
		return errors.New("usage: vulncheck ACCEPTED-LIST < govulncheck.json")
	}
	accepted, err := readAccepted(os.Args[1])
	if err != nil {
		return err
	}
	summaries := map[string]string{}
	reachable := map[string][]frame{} // advisory → the frame of our code that calls it
	fixed := map[string]string{}
	dec := json.NewDecoder(bufio.NewReader(os.Stdin))
	for {
		var m message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return fmt.Errorf("reading govulncheck output: %w", err)
		}
		switch {
		case m.Config != nil:
			fmt.Printf("govulncheck %s, %s, database %s (modified %s)\n", m.Config.ScannerVersion, m.Config.GoVersion, m.Config.DB, m.Config.DBLastModified)
		case m.OSV != nil:
			summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil && len(m.Finding.Trace) > 0 && m.Finding.Trace[0].Function != "":
			// A finding down to a function: our code can reach it.
			id := m.Finding.OSV
			fixed[id] = m.Finding.FixedVersion
			reachable[id] = append(reachable[id], m.Finding.Trace[len(m.Finding.Trace)-1])
		}
	}
	ids := make([]string, 0, len(reachable))
	for id := range reachable {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var failed []string
	for _, id := range ids {
		if why, ok := accepted[id]; ok {
			fmt.Printf("accepted   %s %s\n           because: %s\n", id, summaries[id], why)
			continue
		}
		failed = append(failed, id)
		fmt.Printf("REACHABLE  %s %s (fixed in %q)\n", id, summaries[id], fixed[id])
		for _, f := range reachable[id][:min(3, len(reachable[id]))] {
			pos := ""
			if f.Position != nil {
				pos = fmt.Sprintf(" at %s:%d", f.Position.Filename, f.Position.Line)
			}
			fmt.Printf("           from %s.%s%s\n", f.Package, strings.TrimPrefix(f.Receiver+"."+f.Function, "."), pos)
		}
	}
	for id := range accepted {
		if _, ok := reachable[id]; !ok {
			fmt.Printf("note: %s is accepted but no longer found; remove it from %s\n", id, os.Args[1])
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d reachable vulnerabilities: %s (upgrade, or review and add to %s)", len(failed), strings.Join(failed, ", "), os.Args[1])
	}
	fmt.Printf("no reachable vulnerability (%d accepted after review)\n", len(ids))
	return nil
}

func readAccepted(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, why, _ := strings.Cut(line, " ")
		if strings.TrimSpace(why) == "" {
			return nil, fmt.Errorf("%s:%d: %s has no reason", path, n+1, id)
		}
		out[id] = strings.TrimSpace(why)
	}
	return out, nil
}
