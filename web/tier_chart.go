package web

import (
	"net/url"

	pd "github.com/partnerdesk/partnerdesk"
)

// The Tier tab's chart of closing credit, month by month: an SVG drawn on
// the server. Each bar is a link to its month's movements (focusable, with
// an accessible name and a tooltip); the template holds the words and
// formats the amounts, this file only the geometry.

type chart struct {
	Width, Height int
	Top, Bottom   int // the plot's vertical bounds
	PlotH         int
	Left          int
	Bars          []chartBar
	Ticks         []chartTick
	Max           int64
}

type chartBar struct {
	pd.CreditMonth
	X, Y, W, H int
	LabelX     int  // where the value shows on hover and focus
	LabelY     int  //
	Selected   bool // the month listed below
	Href       string
	Label      bool // the month is labelled on the axis
}

type chartTick struct {
	Y     int
	Value int64
}

const (
	chartWidth  = 760
	chartHeight = 240
	chartLeft   = 84 // room for the axis's amounts
	chartTop    = 26 // room for a bar's value
	chartBottom = 212
)

// newChart lays months out as bars scaled to the largest closing credit.
func newChart(months []pd.CreditMonth, selected pd.Date, u *url.URL) *chart {
	c := &chart{Width: chartWidth, Height: chartHeight, Top: chartTop, Bottom: chartBottom, Left: chartLeft, PlotH: chartBottom - chartTop}
	for _, m := range months {
		c.Max = max(c.Max, m.Closing)
	}
	top := niceCeiling(c.Max)
	plotH := chartBottom - chartTop
	for i := 0; i <= 4; i++ {
		v := top * int64(i) / 4
		c.Ticks = append(c.Ticks, chartTick{Y: chartBottom - int(int64(plotH)*int64(i)/4), Value: v})
	}
	n := max(1, len(months))
	slot := (chartWidth - chartLeft - 8) / n
	w := max(4, slot*7/10)
	for i, m := range months {
		h := 0
		if top > 0 && m.Closing > 0 {
			h = max(1, int(m.Closing*int64(plotH)/top))
		}
		x := chartLeft + 4 + i*slot + (slot-w)/2
		q := u.Query()
		q.Set("month", m.Month.Format("2006-01"))
		c.Bars = append(c.Bars, chartBar{CreditMonth: m, X: x, Y: chartBottom - h, W: w, H: h,
			LabelX: x + w/2, LabelY: max(12, chartBottom-h-6), Selected: m.Month == selected,
			Href: u.Path + "?" + q.Encode() + "#month", Label: (len(months)-1-i)%3 == 0})
	}
	return c
}

// niceCeiling rounds v up to 1, 2 or 5 times a power of ten (in major
// units), so that the axis reads well; at least 100 (one unit).
func niceCeiling(v int64) int64 {
	if v <= 100 {
		return 100
	}
	step := int64(100)
	for {
		for _, k := range []int64{1, 2, 5} {
			if step*k >= v {
				return step * k
			}
		}
		step *= 10
	}
}
