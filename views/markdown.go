package views

import (
	"bytes"
	"html"
	"net/url"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmtext "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// BodyHTML is an article body rendered by Markdown: the only HTML from
// article data the pages write unescaped. Its field is unexported, so the
// one way to make a non-empty BodyHTML is Markdown, and templ.Raw (see
// articleBody) only ever receives what Markdown made.
type BodyHTML struct{ html string }

// Empty reports whether there is nothing to show.
func (b BodyHTML) Empty() bool { return strings.TrimSpace(b.html) == "" }

// String is the HTML.
func (b BodyHTML) String() string { return b.html }

// md renders CommonMark with goldmark's safe defaults (html.WithUnsafe is
// not set: all text and attribute values are escaped), and two changes:
// webLinks drops every link and image that does not point to an absolute
// http or https URL, before rendering; and HTML written in the body is
// shown as the text it is (rawHTMLAsText) where goldmark would leave it
// out as "<!-- raw HTML omitted -->": a <script> in a body is something
// for the editor to see, not to have hidden.
var md = goldmark.New(
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(webLinks{}, 100))),
	// Renderers of lower priority values win (goldmark's own is at 1000).
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(rawHTMLAsText{}, 100))),
)

// rawHTMLAsText renders inline HTML and HTML blocks of a body escaped.
type rawHTMLAsText struct{}

func (rawHTMLAsText) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			segs := n.(*ast.RawHTML).Segments
			for i := range segs.Len() {
				seg := segs.At(i)
				_, _ = w.WriteString(html.EscapeString(string(seg.Value(src))))
			}
		}
		return ast.WalkSkipChildren, nil
	})
	reg.Register(ast.KindHTMLBlock, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		b := n.(*ast.HTMLBlock)
		_, _ = w.WriteString(`<pre class="raw-html">`)
		for i := range b.Lines().Len() {
			line := b.Lines().At(i)
			_, _ = w.WriteString(html.EscapeString(string(line.Value(src))))
		}
		if b.HasClosure() {
			_, _ = w.WriteString(html.EscapeString(string(b.ClosureLine.Value(src))))
		}
		_, _ = w.WriteString("</pre>\n")
		return ast.WalkSkipChildren, nil
	})
}

// Markdown renders an article's Markdown body as HTML that is safe to write
// into a page as it is: no raw HTML from the body, no script, no links or
// images but http and https ones, and those open in a new tab without a
// referrer. An error from the renderer (it writes to memory, so none is
// expected) gives the body as escaped text instead.
func Markdown(body string) BodyHTML {
	var buf bytes.Buffer
	if err := md.Convert([]byte(body), &buf); err != nil {
		return BodyHTML{html: "<pre>" + html.EscapeString(body) + "</pre>"}
	}
	return BodyHTML{html: buf.String()}
}

// WebURL returns s trimmed and true when it is an absolute http or https
// URL with a host (any letter case of the scheme): the only URLs from
// article data that pages link to or load. Anything else (javascript:,
// data:, vbscript:, relative paths, mailto:) is false.
func WebURL(s string) (string, bool) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", false
	}
	if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
		return "", false
	}
	return s, true
}

// webLinks is a goldmark AST transformer: a link whose destination is not
// a web URL is replaced by its text, an image by its alt text, and an
// autolink by its URL as text. Destinations are checked after goldmark
// has decoded entities and backslash escapes, so "&#106;avascript:" is
// seen as "javascript:". Kept links get target and rel; kept images load
// lazily without a referrer.
type webLinks struct{}

func (webLinks) Transform(doc *ast.Document, reader gmtext.Reader, _ parser.Context) {
	src := reader.Source()
	var unsafe []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if dest, ok := WebURL(string(n.Destination)); ok {
				n.Destination = []byte(dest)
				n.SetAttributeString("target", []byte("_blank"))
				n.SetAttributeString("rel", []byte("noopener noreferrer nofollow"))
			} else {
				unsafe = append(unsafe, n)
			}
		case *ast.Image:
			if dest, ok := WebURL(string(n.Destination)); ok {
				n.Destination = []byte(dest)
				n.SetAttributeString("loading", []byte("lazy"))
				n.SetAttributeString("referrerpolicy", []byte("no-referrer"))
			} else {
				unsafe = append(unsafe, n)
			}
		case *ast.AutoLink:
			if _, ok := WebURL(string(n.URL(src))); ok && n.AutoLinkType == ast.AutoLinkURL {
				n.SetAttributeString("target", []byte("_blank"))
				n.SetAttributeString("rel", []byte("noopener noreferrer nofollow"))
			} else {
				unsafe = append(unsafe, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unsafe {
		unlink(n, src)
	}
}

// unlink replaces a link by its children, an image by its alt text and an
// autolink by its text, in place.
func unlink(n ast.Node, src []byte) {
	parent := n.Parent()
	if parent == nil {
		return
	}
	switch n := n.(type) {
	case *ast.AutoLink:
		parent.ReplaceChild(parent, n, ast.NewString(n.Label(src)))
	case *ast.Image:
		var alt bytes.Buffer
		altText(n, src, &alt)
		parent.ReplaceChild(parent, n, ast.NewString(alt.Bytes()))
	default:
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
}

// altText collects the text of an image's description.
func altText(n ast.Node, src []byte, out *bytes.Buffer) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			out.Write(c.Segment.Value(src))
		case *ast.String:
			out.Write(c.Value)
		default:
			altText(c, src, out)
		}
	}
}
