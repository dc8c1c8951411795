package web_test

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The focus ring is seen against whatever a focused control sits on: it
// must reach a contrast of 3:1 (WCAG 1.4.11) with every background colour
// of the style sheets, the dark top bar's included. Controls filled with a
// colour of their own (button.primary) are left out: the ring is drawn
// outside them (outline-offset), on the background around them.
func TestFocusRingContrastsWithEveryBackground(t *testing.T) {
	var css string
	for _, f := range []string{"static/app.css", "static/tier.css"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		css += regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(b), "") + "\n"
	}
	rules := regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`).FindAllStringSubmatch(css, -1)
	vars := map[string]string{}
	for _, r := range rules {
		if strings.TrimSpace(r[1]) == ":root" {
			for _, m := range regexp.MustCompile(`(--[\w-]+)\s*:\s*([^;]+)`).FindAllStringSubmatch(r[2], -1) {
				vars[m[1]] = strings.TrimSpace(m[2])
			}
		}
	}
	resolve := func(v string) string {
		if m := regexp.MustCompile(`^var\((--[\w-]+)\)`).FindStringSubmatch(v); m != nil {
			return vars[m[1]]
		}
		return v
	}
	ring := ""
	for _, r := range rules {
		if strings.TrimSpace(r[1]) == ":focus-visible" {
			if m := regexp.MustCompile(`outline:\s*\S+\s+solid\s+([^;\s]+)`).FindStringSubmatch(r[2]); m != nil {
				ring = resolve(m[1])
			}
		}
	}
	if _, ok := luminance(ring); !ok {
		t.Fatalf("no focus ring colour found in :focus-visible (%q)", ring)
	}
	filled := regexp.MustCompile(`^(button|a\.button)[.\w-]*$`)
	checked := 0
	for _, r := range rules {
		sels := strings.Split(r[1], ",")
		own := true
		for _, s := range sels {
			own = own && filled.MatchString(strings.TrimSpace(s))
		}
		for _, m := range regexp.MustCompile(`background(?:-color)?\s*:\s*([^;\s]+)`).FindAllStringSubmatch(r[2], -1) {
			bg := resolve(m[1])
			if _, ok := luminance(bg); !ok || own {
				continue
			}
			checked++
			if c := contrast(ring, bg); c < 3 {
				t.Errorf("focus ring %s on %s (%s): %.2f:1, below 3:1", ring, bg, strings.TrimSpace(r[1]), c)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d backgrounds found: is the style sheet parsed?", checked)
	}
}

// luminance is the WCAG relative luminance of a #rgb or #rrggbb colour.
func luminance(hex string) (float64, bool) {
	h := strings.TrimPrefix(hex, "#")
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if len(h) != 6 || !strings.HasPrefix(hex, "#") {
		return 0, false
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil {
			return 0, false
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l, true
}

func contrast(a, b string) float64 {
	la, _ := luminance(a)
	lb, _ := luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}
