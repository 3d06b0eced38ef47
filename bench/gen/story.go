package gen

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Shares of the variations, in percent, as a pipeline feed shows them.
const (
	pctCJK       = 1  // Chinese or Japanese stories, besides those of the two CJK providers
	pctCRLF      = 5  // CRLF line endings
	pctFlow      = 20 // flow style for provider and topics
	pctShuffled  = 8  // keys in another order
	pctNoQuality = 8  // quality absent
	pctNoHeat    = 3  // heat absent
	pctPublished = 7  // published: true
	pctUnknown   = 6  // one key newsdesk does not know
	pctComment   = 3  // a comment line in the front matter
	pctUTM       = 15 // originalUrl with tracking parameters
	pctOffset    = 7  // publishedDateTime with a zone offset, not Z
)

var (
	providerDraw = newZipf(len(providers), 1.1)
	topicDraw    = newZipf(20, 0.9) // within a category's own list
	sharedDraw   = newZipf(len(sharedTopics)+len(places), 0.8)
	categoryDraw = newWeights(func() []float64 {
		w := make([]float64, len(categories))
		for i, c := range categories {
			w[i] = c.weight
		}
		return w
	}())
	// topicCounts are the weights of 0..8 topics on an article.
	topicCounts = newWeights([]float64{8, 15, 22, 20, 13, 9, 6, 4, 3})
	zones       = []*time.Location{
		time.FixedZone("", 3600), time.FixedZone("", 2*3600), time.FixedZone("", 9*3600),
		time.FixedZone("", -5*3600), time.FixedZone("", 5*3600+1800),
	}
)

// story is one article being made: its choices, then its text.
type story struct {
	r         *rand.Rand
	cat       *category
	prov      *provider
	lang      string
	subj      phrase
	obj       string
	place     string
	lastPlace string
	title     string
	when      time.Time // UTC
	slug      string    // from the title, any script
	urlSlug   string    // ASCII, for URLs
	fileName  string
	topics    []string
	flow      bool
}

func newStory(g *Generator, i int) *story {
	r := g.r
	s := &story{r: r}
	s.cat = &categories[categoryDraw.draw(r)]
	s.prov = &providers[providerDraw.draw(r)]
	if chance(r, pctCJK) {
		s.lang = pick(r, []string{"zh", "ja"})
		if !chance(r, 30) {
			s.prov = providerFor(s.lang)
		}
	} else if s.prov.lang != "" {
		s.lang = s.prov.lang
	}
	s.subj = s.cat.subjects[r.IntN(len(s.cat.subjects))]
	s.obj = pick(r, s.cat.objects)
	s.place = pick(r, places)
	secs := r.Int64N(Days * 24 * 3600)
	s.when = g.end.Add(-time.Duration(secs) * time.Second).Truncate(time.Minute)
	s.title = s.headline()
	s.slug = slugify(s.title)
	tag := fmt.Sprintf("%06x", g.tag(i))
	s.urlSlug = s.slug
	if !isASCII(s.slug) {
		s.urlSlug = "story-" + tag
	}
	s.fileName = s.when.Format(time.DateOnly) + "-" + s.slug + "-" + tag + s.extension()
	s.topics = s.pickTopics()
	s.flow = chance(r, pctFlow)
	return s
}

func providerFor(lang string) *provider {
	for i := range providers {
		if providers[i].lang == lang {
			return &providers[i]
		}
	}
	panic("gen: no provider for " + lang)
}

func (s *story) extension() string {
	n := s.r.IntN(100)
	for _, e := range extensions {
		if n < e.share {
			return e.ext
		}
		n -= e.share
	}
	return ".md"
}

// headline is a title in one of a few shapes news titles take.
func (s *story) headline() string {
	if s.lang != "" {
		return pick(s.r, cjkTitles[s.lang])
	}
	return s.headlineFor(s.subj, s.obj)
}

func (s *story) headlineFor(subj phrase, obj string) string {
	r := s.r
	verb := pick(r, verbs)[0]
	if subj.plural {
		verb = pick(r, verbs)[1]
	}
	switch n := r.IntN(100); {
	case n < 10:
		return s.expand("{place}: " + lowerFirst(subj.text) + " " + verb + " " + obj)
	case n < 17:
		return s.expand("What the " + obj + " could mean for {place}")
	case n < 24:
		return s.expand(upperFirst(obj) + " to go ahead {when}")
	case n < 30:
		return s.expand("“{quote}”: " + lowerFirst(subj.text) + " on the " + obj)
	}
	t := subj.text + " " + verb + " " + obj
	if chance(r, 45) {
		t += " " + pick(r, titleTails)
	}
	return s.expand(t)
}

// pickTopics draws 0..8 distinct topics, most from the story's category.
func (s *story) pickTopics() []string {
	r := s.r
	n := topicCounts.draw(r)
	out := make([]string, 0, n)
	for tries := 0; len(out) < n && tries < 4*n; tries++ {
		var t string
		switch k := r.IntN(100); {
		case s.lang != "" && k < 60, k < 2:
			lang := s.lang
			if lang == "" {
				lang = pick(r, []string{"zh", "ja"})
			}
			t = pick(r, cjkTopics[lang])
		case k < 72:
			t = s.cat.topics[topicDraw.draw(r)%len(s.cat.topics)]
		default:
			if j := sharedDraw.draw(r); j < len(sharedTopics) {
				t = sharedTopics[j]
			} else {
				t = places[j-len(sharedTopics)]
			}
		}
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, t) }) {
			out = append(out, t)
		}
	}
	return out
}

// expand fills the {slots} of a template.
func (s *story) expand(tmpl string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		j := strings.IndexByte(tmpl[i:], '}') + i
		b.WriteString(tmpl[:i])
		b.WriteString(s.slot(tmpl[i+1 : j]))
		tmpl = tmpl[j+1:]
	}
}

func (s *story) slot(name string) string {
	r := s.r
	switch name {
	case "Subj":
		return s.subj.text
	case "obj":
		return s.obj
	case "org":
		return pick(r, orgs)
	case "Org":
		return upperFirst(pick(r, orgs))
	case "place":
		// The story's own place half the time, and never the same place
		// twice in a row ("in Bayview and Bayview").
		p := s.place
		if s.lastPlace == p || chance(r, 50) {
			for p = pick(r, places); p == s.lastPlace; p = pick(r, places) {
			}
		}
		s.lastPlace = p
		return p
	case "n":
		return thousands(between(r, 40, 9000))
	case "n2":
		return strconv.Itoa(between(r, 2, 18))
	case "pct":
		return strconv.Itoa(between(r, 2, 65))
	case "year":
		return strconv.Itoa(s.when.Year() + r.IntN(2))
	case "money", "money2":
		cur := pick(r, []string{"£", "€", "$"})
		v := between(r, 3, 90)
		if name == "money2" {
			v = v*2 + between(r, 5, 60)
		}
		return cur + strconv.Itoa(v) + "m"
	case "person":
		return pick(r, firstNames) + " " + pick(r, lastNames)
	case "role":
		return pick(r, roles)
	case "quote":
		return pick(r, quotes)
	case "concern":
		return pick(r, concerns)
	case "finding":
		return pick(r, findings)
	case "outcome":
		return pick(r, outcomes)
	case "group":
		return pick(r, groups)
	case "weekday":
		return pick(r, weekdays)
	case "month":
		return pick(r, months)
	case "metric":
		return pick(r, metrics)
	case "Metric":
		return upperFirst(pick(r, metrics))
	case "when":
		return s.expand(pick(r, whens))
	}
	panic("gen: unknown slot {" + name + "}")
}

// sentence is one sentence of body text in the story's language.
func (s *story) sentence() string { return s.sentenceIn(s.lang) }

func (s *story) sentenceIn(lang string) string {
	if lang != "" {
		return pick(s.r, cjkSentences[lang])
	}
	return s.expand(pick(s.r, sentences))
}

func (s *story) excerpt() string {
	t := s.sentence()
	if chance(s.r, 40) {
		sep := " "
		if s.lang != "" {
			sep = ""
		}
		t += sep + s.sentence()
	}
	return t
}

// render writes the whole file into b.
func (s *story) render(b *bytes.Buffer) {
	r := s.r
	b.WriteString("---\n")
	if chance(r, pctComment) {
		b.WriteString(pick(r, comments) + "\n")
	}
	keys := s.frontMatter()
	if chance(r, pctShuffled) {
		r.Shuffle(len(keys), func(a, c int) { keys[a], keys[c] = keys[c], keys[a] })
	}
	for _, k := range keys {
		b.WriteString(k)
	}
	b.WriteString("---\n")
	s.body(b)
}

// frontMatter is the keys in the seed's order, one string each with its
// line ending; the blocks start with a blank line, as in the seed.
func (s *story) frontMatter() []string {
	r := s.r
	web := articleURL(s.prov, s.cat.name, s.when, s.urlSlug)
	orig := web
	if chance(r, pctUTM) {
		orig += "?utm_source=feed&utm_medium=rss"
	}
	when := s.when
	if chance(r, pctOffset) {
		when = when.In(pick(r, zones))
	}
	keys := []string{
		"category: " + s.cat.name + "\n",
		"title: " + dq(s.title) + "\n",
		"excerpt: " + dq(s.excerpt()) + "\n",
		"publishedDateTime: " + when.Format(time.RFC3339) + "\n",
		"originalUrl: " + dq(orig) + "\n",
		"webUrl: " + dq(web) + "\n",
		"type: " + pickWeighted(r, []string{"article", "video", "liveblog"}, 94, 4) + "\n",
	}
	if !chance(r, pctNoQuality) {
		q := min(max(int(r.NormFloat64()*20+55), 0), 100)
		keys = append(keys, "quality: "+strconv.Itoa(q)+"\n")
	}
	if !chance(r, pctNoHeat) {
		h := int(r.ExpFloat64() * 70)
		if chance(r, 4) {
			h = between(r, 500, 5000)
		}
		keys = append(keys, "heat: "+strconv.Itoa(h)+"\n")
	}
	keys = append(keys, "published: "+strconv.FormatBool(chance(r, pctPublished))+"\n")
	keys = append(keys, "\n"+providerKey(s.prov, s.flow))
	if len(s.topics) > 0 || chance(r, 50) {
		keys = append(keys, "\n"+topicsKey(s.topics, s.flow))
	}
	keys = append(keys, "\n"+s.imagesKey(), "\n"+s.relatedKey(), "\n"+s.securedKey())
	if chance(r, pctUnknown) {
		keys = append(keys, s.expand(pick(r, unknownKeys))+"\n")
	}
	return keys
}

func providerKey(p *provider, flow bool) string {
	if flow {
		return "provider: {name: " + scalar(p.name) + ", domain: " + p.domain + "}\n"
	}
	return "provider:\n  name: " + scalar(p.name) + "\n  domain: " + p.domain + "\n"
}

func topicsKey(topics []string, flow bool) string {
	if len(topics) == 0 {
		return "topics: []\n"
	}
	var b strings.Builder
	if flow {
		b.WriteString("topics: [")
		for i, t := range topics {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(scalar(t))
		}
		b.WriteString("]\n")
		return b.String()
	}
	b.WriteString("topics:\n")
	for _, t := range topics {
		b.WriteString("  - " + scalar(t) + "\n")
	}
	return b.String()
}

func (s *story) imagesKey() string {
	r := s.r
	n := pickWeighted(r, []int{0, 1, 2, 3}, 15, 65, 15)
	if n == 0 {
		return "images: []\n"
	}
	var b strings.Builder
	b.WriteString("images:\n")
	stem := cut(s.urlSlug, 40)
	for k := 1; k <= n; k++ {
		w := pick(r, []int{555, 640, 800, 1024, 1200, 1280})
		h := w * pick(r, []int{9, 10, 12, 15}) / 16
		fmt.Fprintf(&b, "  - url: \"https://%s/uploads/%s/%s-%d.jpg\"\n    width: %d\n    height: %d\n    isCached: %t\n",
			s.prov.imgHost, s.when.Format("2006/01"), stem, k, w, h, chance(r, 70))
	}
	return b.String()
}

func (s *story) relatedKey() string {
	r := s.r
	n := pickWeighted(r, []int{0, 1, 2, 3}, 35, 35, 18)
	if n == 0 {
		return "related: []\n"
	}
	var b strings.Builder
	b.WriteString("related:\n")
	for range n {
		p := &providers[providerDraw.draw(r)]
		for tries := 0; p == s.prov && tries < 3; tries++ {
			p = &providers[providerDraw.draw(r)]
		}
		var title, slug string
		if p.lang != "" {
			title = pick(r, cjkTitles[p.lang])
			slug = fmt.Sprintf("story-%06x", r.IntN(1<<24))
		} else {
			title = s.headlineFor(s.cat.subjects[r.IntN(len(s.cat.subjects))], pick(r, s.cat.objects))
			slug = slugify(title)
		}
		when := s.when.Add(time.Duration(between(r, -12*60, 48*60)) * time.Minute)
		web := articleURL(p, s.cat.name, when, slug)
		host := strings.TrimPrefix(web, "https://")
		b.WriteString("  - title: " + dq(title) + "\n")
		b.WriteString("    excerpt: " + dq(s.sentenceIn(p.lang)) + "\n")
		b.WriteString("    publishedDateTime: " + when.Format(time.RFC3339) + "\n")
		b.WriteString("    webUrl: " + dq(web) + "\n")
		b.WriteString("    ampWebUrl: " + dq(web+"?amp=1") + "\n")
		b.WriteString("    cdnAmpWebUrl: " + dq("https://"+strings.ReplaceAll(p.domain, ".", "-")+".cdn.ampcache.example/c/s/"+host+"?amp=1") + "\n")
		b.WriteString("    type: article\n")
		b.WriteString("    provider:\n      name: " + scalar(p.name) + "\n      domain: " + p.domain + "\n")
		if !chance(r, 10) {
			b.WriteString("    quality: " + strconv.Itoa(between(r, 10, 95)) + "\n")
		}
	}
	return b.String()
}

// securedKey is an opaque payload like the pipeline's: base64 of random
// bytes, ";", base64 of a 16-byte nonce.
func (s *story) securedKey() string {
	payload := make([]byte, between(s.r, 180, 420))
	nonce := make([]byte, 16)
	for _, buf := range [][]byte{payload, nonce} {
		for i := range buf {
			buf[i] = byte(s.r.Uint32())
		}
	}
	return "secured: \"" + base64.StdEncoding.EncodeToString(payload) + ";" + base64.StdEncoding.EncodeToString(nonce) + "\"\n"
}

// articleURL is a provider's address for a story, in its own URL style.
func articleURL(p *provider, section string, t time.Time, slug string) string {
	y, m, d := t.Format("2006"), t.Format("01"), t.Format("02")
	switch p.urlStyle {
	case 0:
		return "https://www." + p.domain + "/" + y + "/" + m + "/" + slug + "/"
	case 1:
		return "https://" + p.domain + "/" + y + "/" + m + "/" + slug + "/"
	case 2:
		return "https://www." + p.domain + "/" + section + "/" + y + m + d + "/" + slug
	case 3:
		return "https://" + p.domain + "/" + section + "/" + y + "/" + m + "/" + d + "/" + slug
	case 4:
		return "https://www." + p.domain + "/news/" + y + "/" + m + "/" + slug + "/"
	case 5:
		return "https://" + p.domain + "/articles/" + y + "/" + slug
	case 6:
		return "https://www." + p.domain + "/" + y + "/" + m + "/" + d + "/" + slug + ".html"
	case 7:
		return "https://www." + p.domain + "/" + section + "/" + slug + "-" + y + m + d
	}
	return "https://www." + p.domain + "/articles/" + y + m + d + "/" + slug
}
