package views

import (
	"math"
	"strconv"
	"strings"
)

// Charts are inline SVG drawn on the server: no chart library and no
// script. Geometry is computed here, in plain Go that tests can read;
// colours are CSS classes (dashboard.css maps each series to a theme
// variable), since the CSP refuses style attributes and the theme
// changes with the system's light or dark setting.

// Series is one kind of value a bar stacks: its name in the legend and the
// table, and the class that colours it ("series-approved").
type Series struct {
	Name  string
	Class string
}

// Bar is one bar: its axis label, a longer label for its tooltip and its
// table row, and one value per series of the chart (stacked in order,
// the first at the bottom).
type Bar struct {
	Label  string // under the bar, e.g. "28 Nov"; "" for none
	Long   string // e.g. "Sat 28 Nov 2026"
	Values []int
}

// Total is the sum of the bar's values.
func (b Bar) Total() int {
	t := 0
	for _, v := range b.Values {
		t += v
	}
	return t
}

// BarChart is a bar chart. ID must be unique on the page: the SVG's
// title and description, and the table, hang on it.
type BarChart struct {
	ID     string
	Title  string // the chart's heading and SVG title
	Desc   string // a sentence that says what the chart shows and its sum
	Series []Series
	Bars   []Bar
	// Width is the SVG's width in its own units (0: chartW); CSS scales
	// it to the space available, so a narrow card wants a smaller one
	// for its labels to stay readable.
	Width int
}

// The SVG's coordinate system (its viewBox); CSS scales it to the width
// available, keeping the proportions.
const (
	chartW      = 640
	chartH      = 220
	chartLeft   = 44 // room for the value axis's numbers
	chartRight  = 8
	chartTop    = 12
	chartBottom = 26 // room for the bar labels
)

// chartRect is one drawn part of a bar.
type chartRect struct {
	X, Y, W, H float64
	Class      string
	Title      string // its tooltip: "Sat 28 Nov 2026: 3 approved"
}

// chartText is one label.
type chartText struct {
	X, Y float64
	Text string
}

// chartGeometry is everything the Chart component draws.
type chartGeometry struct {
	Rects  []chartRect
	XLabel []chartText // under the bars
	YTicks []chartText // the value axis: 0, half and the top
	Grid   []float64   // y of the horizontal lines at each tick
	Base   float64     // y of the zero line
	Right  float64     // x where the plot ends
	Max    int         // the value the top of the plot stands for
}

func (c BarChart) width() int {
	if c.Width > 0 {
		return c.Width
	}
	return chartW
}

// niceMax rounds n up to 1, 2 or 5 times a power of ten (at least 1), so
// the axis reads in round numbers.
func niceMax(n int) int {
	if n <= 1 {
		return 1
	}
	p := int(math.Pow(10, math.Floor(math.Log10(float64(n)))))
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}

// geometry lays the chart out: bars of equal width with a gap, heights
// proportional to their values against niceMax of the tallest bar.
// Labels: every bar's when there are at most 12 bars, else about every
// fifth (counted from the last, which is always labelled).
func (c BarChart) geometry() chartGeometry {
	tallest := 0
	for _, b := range c.Bars {
		tallest = max(tallest, b.Total())
	}
	g := chartGeometry{Max: niceMax(tallest), Base: chartH - chartBottom, Right: float64(c.width() - chartRight)}
	plotW := float64(c.width() - chartLeft - chartRight)
	plotH := float64(chartH - chartTop - chartBottom)
	ticks := []int{0, g.Max}
	if g.Max%2 == 0 {
		ticks = []int{0, g.Max / 2, g.Max}
	}
	for _, v := range ticks {
		y := g.Base - plotH*float64(v)/float64(g.Max)
		g.YTicks = append(g.YTicks, chartText{X: chartLeft - 6, Y: y + 4, Text: num(v)})
		g.Grid = append(g.Grid, y)
	}
	if len(c.Bars) == 0 {
		return g
	}
	step := plotW / float64(len(c.Bars))
	width := step * 0.8
	every := 1
	if len(c.Bars) > 12 {
		every = 5
	}
	for i, b := range c.Bars {
		x := chartLeft + step*float64(i) + (step-width)/2
		y := g.Base
		for s, v := range b.Values {
			if v == 0 || s >= len(c.Series) {
				continue
			}
			h := plotH * float64(v) / float64(g.Max)
			y -= h
			g.Rects = append(g.Rects, chartRect{X: x, Y: y, W: width, H: h, Class: c.Series[s].Class,
				Title: b.Long + ": " + num(v) + " " + c.Series[s].Name})
		}
		if b.Label != "" && (len(c.Bars)-1-i)%every == 0 {
			g.XLabel = append(g.XLabel, chartText{X: x + width/2, Y: chartH - 8, Text: b.Label})
		}
	}
	return g
}

// Empty reports whether every bar is zero.
func (c BarChart) Empty() bool {
	for _, b := range c.Bars {
		if b.Total() > 0 {
			return false
		}
	}
	return true
}

// Sum is the sum of every bar.
func (c BarChart) Sum() int {
	t := 0
	for _, b := range c.Bars {
		t += b.Total()
	}
	return t
}

// coord writes an SVG coordinate with one decimal, "12.5".
func coord(f float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(f, 'f', 1, 64), ".0")
}

func (c BarChart) titleID() string { return c.ID + "-title" }
func (c BarChart) descID() string  { return c.ID + "-desc" }
func (c BarChart) viewBox() string {
	return "0 0 " + strconv.Itoa(c.width()) + " " + strconv.Itoa(chartH)
}
