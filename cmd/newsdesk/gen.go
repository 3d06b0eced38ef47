package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/newsdesk/newsdesk/bench/gen"
)

func cmdGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("gen", "newsdesk gen [--seed S] [--end YYYY-MM-DD] N DIR",
		fmt.Sprintf("Writes N realistic articles (1 to %s) into DIR for benchmarks, about\n"+
			"4 KB each on average: varied lengths, providers, topics, bodies, related items,\n"+
			"some CRLF and flow-style files; dated in the %d days before --end.\n"+
			"The same N, seed and end date give byte-identical files.\n"+
			"DIR is created when missing. When an earlier gen filled it (it holds the file\n"+
			"%s), that set is replaced; any other non-empty DIR is refused.",
			thousands(gen.MaxArticles), gen.Days, gen.Marker), stdout)
	defSeed, err := uint64Env("NEWSDESK_SEED", 1)
	if err != nil {
		return c.usageErr("gen: %v", err)
	}
	seed := c.fs.Uint64("seed", defSeed, "seed of the set; each seed is a different set (env NEWSDESK_SEED)")
	endText := c.fs.String("end", envString("NEWSDESK_END", ""), "articles are dated in the days before this date, YYYY-MM-DD (UTC); default today (env NEWSDESK_END)")
	rest, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		return c.usageErr("gen: name the number of articles and a folder: newsdesk gen N DIR")
	}
	n, err := articleCount(rest[0])
	if err != nil {
		return c.usageErr("gen: N: %v", err)
	}
	end := time.Now().UTC().Truncate(24 * time.Hour)
	if *endText != "" {
		if end, err = time.Parse(time.DateOnly, *endText); err != nil {
			return c.usageErr("gen: --end %q is not a date like 2026-11-30", *endText)
		}
	}
	opts := gen.Options{Seed: *seed, End: end}

	start := time.Now()
	st, err := gen.Write(ctx, rest[1], n, opts)
	var de *gen.DirError
	if errors.As(err, &de) {
		return c.usageErr("gen: %v", err)
	}
	if st.Rewritten+st.Removed > 0 {
		fmt.Fprintf(stdout, "replaced an earlier set: %s files written again, %s removed\n", thousands(st.Rewritten), thousands(st.Removed))
	}
	if err != nil {
		return fmt.Errorf("gen: stopped after %s of %s articles in %s: %w", thousands(st.Files), thousands(n), rest[1], err)
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(stdout, "wrote %s articles to %s: %.1f MB, %.1f KB average, in %.1fs (%s/s); seed %d, dated %s to %s\n",
		thousands(st.Files), rest[1], float64(st.Bytes)/1e6, float64(st.Bytes)/float64(st.Files)/1e3, secs,
		thousands(int(float64(st.Files)/max(secs, 1e-3))), *seed,
		end.AddDate(0, 0, -gen.Days).Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly))
	return nil
}

// articleCount reads N: a whole number from 1 to gen.MaxArticles, digits only.
func articleCount(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || s[0] == '+' {
		return 0, fmt.Errorf("want a whole number from 1 to %s, got %q", thousands(gen.MaxArticles), s)
	}
	if n > gen.MaxArticles {
		return 0, fmt.Errorf("%s articles is more than the limit of %s", thousands(n), thousands(gen.MaxArticles))
	}
	return n, nil
}

// uint64Env reads an unsigned integer environment default, reporting a
// bad value rather than ignoring it.
func uint64Env(name string, def uint64) (uint64, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("environment %s=%q: not a whole number from 0 to %d", name, v, uint64(1<<64-1))
	}
	return n, nil
}

// thousands writes n with comma separators: 100000 -> "100,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
