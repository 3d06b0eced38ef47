package gen

import (
	"bytes"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// body appends the Markdown after the closing fence: empty now and then,
// usually a few paragraphs with a heading and a link, sometimes a list,
// now and then very long.
func (s *story) body(b *bytes.Buffer) {
	r := s.r
	var paras int
	switch n := r.IntN(100); {
	case n < 15:
		if chance(r, 50) {
			b.WriteString("\n") // a blank line and nothing else, as the seed has
		}
		return
	case n < 40:
		paras = between(r, 1, 3)
	case n < 85:
		paras = between(r, 3, 8)
	case n < 97:
		paras = between(r, 9, 18)
	default:
		paras = between(r, 20, 32)
	}
	width := 0 // one line per paragraph
	if s.lang == "" && chance(r, 50) {
		width = between(r, 72, 80)
	}
	link := -1
	if chance(r, 80) {
		link = r.IntN(paras)
	}
	list := -1
	if paras >= 2 && chance(r, 30) {
		list = between(r, 1, paras-1)
	}
	for p := range paras {
		if p > 0 && (p == 2 || p%5 == 0) && paras >= 3 {
			b.WriteString("\n## " + s.heading() + "\n")
		}
		if p == list {
			b.WriteString("\n")
			s.list(b)
		}
		n := between(r, 2, 6)
		parts := make([]string, 0, n+1)
		for range n {
			parts = append(parts, s.sentence())
		}
		if p == link {
			parts = append(parts, s.linkSentence())
		}
		sep := " "
		if s.lang != "" {
			sep = ""
		}
		b.WriteString("\n")
		writeWrapped(b, strings.Join(parts, sep), width)
		b.WriteString("\n")
	}
}

func (s *story) heading() string {
	if s.lang != "" {
		return pick(s.r, cjkHeadings[s.lang])
	}
	return pick(s.r, headings)
}

func (s *story) linkSentence() string {
	url := "https://www." + s.prov.domain + "/documents/" + s.when.Format("2006") + "/" + cut(s.urlSlug, 48) + ".pdf"
	if s.lang != "" {
		return "[" + map[string]string{"zh": "全文", "ja": "詳細"}[s.lang] + "](" + url + ")"
	}
	text := pick(s.r, linkTexts)
	switch s.r.IntN(3) {
	case 0:
		return "Read the [" + text + "](" + url + ")."
	case 1:
		return "More detail is in the [" + text + "](" + url + ")."
	}
	return s.expand("As [we reported](" + url + ") in {month}, the idea is not new.")
}

func (s *story) list(b *bytes.Buffer) {
	r := s.r
	numbered := chance(r, 40)
	for k := 1; k <= between(r, 3, 5); k++ {
		marker := "- "
		if numbered {
			marker = strconv.Itoa(k) + ". "
		}
		item := pick(r, []string{"{Metric}: up {pct}%", "{Metric}: down {pct}%", "Phase " + strconv.Itoa(k) + ": {month} {year}", "{place}: {n} responses"})
		if s.lang != "" {
			item = pick(r, cjkTopics[s.lang])
		}
		b.WriteString(marker + s.expand(item) + "\n")
	}
}

// writeWrapped writes text broken into lines of at most width bytes at
// its spaces (a longer word gets a line of its own); width 0 keeps it on
// one line.
func writeWrapped(b *bytes.Buffer, text string, width int) {
	if width <= 0 || len(text) <= width {
		b.WriteString(text)
		return
	}
	line := 0
	for first := true; text != ""; first = false {
		word := text
		if i := strings.IndexByte(text, ' '); i >= 0 {
			word, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		switch {
		case first:
		case line+1+len(word) > width:
			b.WriteByte('\n')
			line = 0
		default:
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
}

// letterFolds are the Latin letters that have no decomposition in Unicode,
// so NFD does not take their marks off (see DESIGN.md: ł, ø, æ, ß).
var letterFolds = map[rune]string{
	'ł': "l", 'ø': "o", 'æ': "ae", 'ß': "ss", 'đ': "d", 'œ': "oe", 'þ': "th", 'ı': "i",
}

// slugify is a file-name slug of a title: lower case, Latin letters
// without their marks (Łódź -> lodz), other scripts kept as they are,
// everything else a single "-", at most 60 characters cut at a word.
func slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(title) {
		switch {
		case letterFolds[c] != "":
			b.WriteString(letterFolds[c])
		case unicode.Is(unicode.Latin, c) && c >= utf8.RuneSelf:
			// Only Latin letters lose their marks: the voicing mark of
			// Japanese で is a combining mark too, and part of the word.
			for _, d := range norm.NFD.String(string(c)) {
				if !unicode.Is(unicode.Mn, d) {
					b.WriteRune(d)
				}
			}
		case unicode.IsLetter(c) || unicode.IsDigit(c):
			b.WriteRune(c)
		default:
			if b.Len() > 0 && !dash {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		dash = false
	}
	slug := strings.TrimSuffix(b.String(), "-")
	if utf8.RuneCountInString(slug) > 60 {
		slug = cut(slug, 60)
		if i := strings.LastIndexByte(slug, '-'); i > 20 {
			slug = slug[:i]
		}
	}
	if slug == "" {
		return "article"
	}
	return slug
}

// cut is the first n runes of s.
func cut(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func upperFirst(s string) string {
	c, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(c)) + s[n:]
}

// lowerFirst lowers the first letter unless the first word is an acronym
// or a name ("AI model" stays).
func lowerFirst(s string) string {
	c, n := utf8.DecodeRuneInString(s)
	if d, _ := utf8.DecodeRuneInString(s[n:]); unicode.IsUpper(d) {
		return s
	}
	return string(unicode.ToLower(c)) + s[n:]
}

// dq is s as a YAML double-quoted scalar (YAML 1.2 §7.3.1). The pools hold
// no control characters, so only the backslash and the quote need escapes.
func dq(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return `"` + s + `"`
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// yaml11Words are plain scalars that YAML 1.1 readers take for booleans
// or null; none may be written plain.
var yaml11Words = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true, "null": true}

// scalar writes s plain when every YAML reader reads it back as the same
// string, in block and in flow collections alike: it starts with a letter
// and holds only letters, digits, spaces and -'.&/(), which no YAML 1.1 or
// 1.2 resolver turns into a number, a boolean or null, and which end no
// flow collection. Anything else is double-quoted.
func scalar(s string) string {
	c, _ := utf8.DecodeRuneInString(s)
	ok := unicode.IsLetter(c) && !yaml11Words[strings.ToLower(s)] && !strings.HasSuffix(s, " ")
	for _, c := range s {
		if !ok {
			break
		}
		ok = unicode.IsLetter(c) || unicode.IsDigit(c) || strings.ContainsRune(" -'.&/()", c)
	}
	if ok {
		return s
	}
	return dq(s)
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	return s[:len(s)-3] + "," + s[len(s)-3:]
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// chance is true pct times in 100.
func chance(r *rand.Rand, pct int) bool { return r.IntN(100) < pct }

// between is a whole number in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// pickWeighted picks xs[k] with pcts[k] percent; the last of xs takes
// what the pcts leave of 100.
func pickWeighted[T any](r *rand.Rand, xs []T, pcts ...int) T {
	n := r.IntN(100)
	for k, p := range pcts {
		if n < p {
			return xs[k]
		}
		n -= p
	}
	return xs[len(xs)-1]
}

// weights draws index k with probability w[k] / sum(w).
type weights struct{ cum []float64 }

func newWeights(w []float64) weights {
	cum := make([]float64, len(w))
	sum := 0.0
	for i, x := range w {
		sum += x
		cum[i] = sum
	}
	return weights{cum}
}

// newZipf weighs rank k (from 0) as 1/(k+1)^s: a few items get most draws.
func newZipf(n int, s float64) weights {
	w := make([]float64, n)
	for k := range w {
		w[k] = 1 / math.Pow(float64(k+1), s)
	}
	return newWeights(w)
}

func (w weights) draw(r *rand.Rand) int {
	x := r.Float64() * w.cum[len(w.cum)-1]
	return min(sort.SearchFloat64s(w.cum, x), len(w.cum)-1)
}
